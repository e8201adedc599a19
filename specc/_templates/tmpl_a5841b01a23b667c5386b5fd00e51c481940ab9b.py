from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'docker/BUILD.md.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_view = resolve('view')
    l_0_docker_cmd = resolve('docker_cmd')
    l_0_buildah_cmd = resolve('buildah_cmd')
    l_0_runtime_secrets = resolve('runtime_secrets')
    l_0_run_cmd = resolve('run_cmd')
    pass
    yield '# Building the image of `'
    yield str(environment.getattr((undefined(name='view') if l_0_view is missing else l_0_view), 'model_name'))
    yield '`\n\nRendered by specc '
    yield str(environment.getattr((undefined(name='view') if l_0_view is missing else l_0_view), 'specc_version'))
    yield ' (dependency hash `'
    yield str(environment.getattr((undefined(name='view') if l_0_view is missing else l_0_view), 'dependency_hash'))
    yield '`).\nRe-render instead of editing: `specc render --target docker --out <this folder>`.\n\nThe Dockerfile uses BuildKit features (`RUN --mount=type=cache`'
    if environment.getattr((undefined(name='view') if l_0_view is missing else l_0_view), 'pip_secrets'):
        pass
        yield ', `--mount=type=secret`'
    yield '),\nso build it with BuildKit (Docker 23+ uses it by default) or with buildah/podman.\n\n## Docker (BuildKit)\n\n```sh\n'
    if environment.getattr((undefined(name='view') if l_0_view is missing else l_0_view), 'pip_secrets'):
        pass
        for l_1_s in environment.getattr((undefined(name='view') if l_0_view is missing else l_0_view), 'pip_secrets'):
            _loop_vars = {}
            pass
            yield 'export '
            yield str(environment.getattr(l_1_s, 'env'))
            yield '=...   # the value of secret '
            yield str(environment.getattr(l_1_s, 'env'))
            yield '\n'
        l_1_s = missing
    yield str((undefined(name='docker_cmd') if l_0_docker_cmd is missing else l_0_docker_cmd))
    yield '\n```\n\n## buildah\n\n```sh\n'
    if environment.getattr((undefined(name='view') if l_0_view is missing else l_0_view), 'pip_secrets'):
        pass
        for l_1_s in environment.getattr((undefined(name='view') if l_0_view is missing else l_0_view), 'pip_secrets'):
            _loop_vars = {}
            pass
            yield 'printf %s "${'
            yield str(environment.getattr(l_1_s, 'env'))
            yield '}" > ./'
            yield str(environment.getattr(l_1_s, 'id'))
            yield '.txt   # outside the build context in real use\n'
        l_1_s = missing
    yield str((undefined(name='buildah_cmd') if l_0_buildah_cmd is missing else l_0_buildah_cmd))
    yield '\n```\n'
    if environment.getattr((undefined(name='view') if l_0_view is missing else l_0_view), 'pip_secrets'):
        pass
        yield '\nBuild secrets (mounted on the `pip install` step only, never stored in a layer):\n\n| secret id | exported to pip as |\n|---|---|\n'
        for l_1_s in environment.getattr((undefined(name='view') if l_0_view is missing else l_0_view), 'pip_secrets'):
            _loop_vars = {}
            pass
            yield '| `'
            yield str(environment.getattr(l_1_s, 'id'))
            yield '` | `${'
            yield str(environment.getattr(l_1_s, 'env'))
            yield '}` |\n'
        l_1_s = missing
        yield "\nA build without them fails at that step with `specc: build secret '<id>' is missing`.\n"
    yield '\nThe base image is the build argument `BASE` (default `'
    yield str(environment.getattr((undefined(name='view') if l_0_view is missing else l_0_view), 'base_image'))
    yield '`); every stage\nuses it, so `--build-arg BASE=<image>@sha256:<digest>` pins or replaces it everywhere.\n\n## Run\n\n```sh\n'
    for l_1_name in (undefined(name='runtime_secrets') if l_0_runtime_secrets is missing else l_0_runtime_secrets):
        _loop_vars = {}
        pass
        yield 'export '
        yield str(l_1_name)
        yield '=...   # the value of secret '
        yield str(l_1_name)
        yield '\n'
    l_1_name = missing
    yield str((undefined(name='run_cmd') if l_0_run_cmd is missing else l_0_run_cmd))
    yield '\n```\n'
    if (undefined(name='runtime_secrets') if l_0_runtime_secrets is missing else l_0_runtime_secrets):
        pass
        yield '\nThe image does not carry the secrets '
        l_1_loop = missing
        for l_1_name, l_1_loop in LoopContext((undefined(name='runtime_secrets') if l_0_runtime_secrets is missing else l_0_runtime_secrets), undefined):
            _loop_vars = {}
            pass
            yield '`'
            yield str(l_1_name)
            yield '`'
            if (not environment.getattr(l_1_loop, 'last')):
                pass
                yield ', '
        l_1_loop = l_1_name = missing
        yield ': `-e NAME` passes each\nfrom your environment (never write a value into this file or the command line), or\n`--env-file <file>` reads `NAME=value` lines from a file kept outside the build context.\n'
    if environment.getattr((undefined(name='view') if l_0_view is missing else l_0_view), 'serve'):
        pass
        yield '\nThe container serves the MLflow model in `'
        yield str(environment.getattr((undefined(name='view') if l_0_view is missing else l_0_view), 'model_dir'))
        yield '` with\n`mlflow models serve --env-manager local` on port '
        yield str(environment.getattr((undefined(name='view') if l_0_view is missing else l_0_view), 'port'))
        yield ' as user '
        yield str(environment.getattr((undefined(name='view') if l_0_view is missing else l_0_view), 'user_uid'))
        yield ':\n`curl -s localhost:'
        yield str(environment.getattr((undefined(name='view') if l_0_view is missing else l_0_view), 'port'))
        yield '/invocations -H \'Content-Type: application/json\' -d \'{"dataframe_split": ...}\'`.\n'
        if (not environment.getattr((undefined(name='view') if l_0_view is missing else l_0_view), 'model')):
            pass
            yield 'No model was rendered into this context: mount one (`-v $PWD/model:'
            yield str(environment.getattr((undefined(name='view') if l_0_view is missing else l_0_view), 'model_dir'))
            yield ':ro`) or\nre-render with `--model <logged model dir or URI>`.\n'

blocks = {}
debug_info = '1=17&3=19&6=23&12=27&13=29&14=33&17=38&23=40&24=42&25=46&28=51&30=53&36=56&37=60&43=67&49=69&50=73&52=78&54=80&56=84&60=95&62=98&63=100&64=104&65=106&66=109'

# GENERATED by scripts/compile_templates.py from targets/docker/BUILD.md.j2 (Jinja2 3.1.6)
