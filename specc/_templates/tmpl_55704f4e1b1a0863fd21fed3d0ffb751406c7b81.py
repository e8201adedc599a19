from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'docker/Dockerfile.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_v = resolve('v')
    try:
        t_1 = environment.filters['join']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'join' found.")
    pass
    yield '# syntax=docker/dockerfile:1\n# Rendered by specc '
    yield str(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'specc_version'))
    yield ' for model '
    yield str(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'model_name'))
    yield '; do not edit, re-render.\n# Dependency hash: '
    yield str(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'dependency_hash'))
    yield '\n# Build with BuildKit or buildah (secret and cache mounts): see BUILD.md.\n# Layers, most stable first: base, apt, language runtimes, Python packages, Maven jars,\n# R packages, ENV, code, model.  Editing code or the model rebuilds only the last layers.\nARG BASE='
    yield str(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'base_image'))
    yield '\n'
    if environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'maven_stage'):
        pass
        yield '\n# --- Maven jars: resolved transitively, with exclusions, by Apache Ivy in a throw-away stage.\nFROM '
        yield str(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'from_flags'))
        yield '${BASE} AS maven-jars\nARG DEBIAN_FRONTEND=noninteractive\nRUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\\n    mkdir -p /usr/share/man/man1 \\\n    && apt-get update \\\n    && apt-get install -y --no-install-recommends default-jre-headless ivy \\\n    && rm -rf /var/lib/apt/lists/*\nCOPY deps/maven/ivy/ '
        yield str(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'staging'))
        yield '/ivy/\nRUN --mount=type=cache,target=/root/.ivy2/cache \\\n    mkdir -p '
        yield str(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'jars_dir'))
        yield ' \\\n    && java -jar /usr/share/java/ivy.jar -settings '
        yield str(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'staging'))
        yield '/ivy/ivysettings.xml \\\n       -ivy '
        yield str(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'staging'))
        yield "/ivy/ivy.xml -confs default \\\n       -retrieve '"
        yield str(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'jars_dir'))
        yield "/[organisation]-[artifact]-[revision](-[classifier]).[ext]'\n"
    yield '\nFROM '
    yield str(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'from_flags'))
    yield '${BASE}\nARG DEBIAN_FRONTEND=noninteractive\n# A non-root user for serving; apt keeps its downloads for the cache mounts below.\nRUN useradd --create-home --uid '
    yield str(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'user_uid'))
    yield ' --shell /usr/sbin/nologin '
    yield str(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'user_name'))
    yield ' \\\n    && rm -f /etc/apt/apt.conf.d/docker-clean \\\n    && echo \'Binary::apt::APT::Keep-Downloaded-Packages "true";\' > /etc/apt/apt.conf.d/keep-cache\n'
    if environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'use_ppa'):
        pass
        yield '\n# --- '
        yield str(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'python_bin'))
        yield ' from the deadsnakes PPA: CUDA images ship no such Python.\nRUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\\n    apt-get update \\\n    && apt-get install -y --no-install-recommends ca-certificates gpg-agent software-properties-common \\\n    && add-apt-repository -y ppa:deadsnakes/ppa \\\n    && apt-get install -y --no-install-recommends '
        yield str(t_1(context.eval_ctx, environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'install_python'), ' '))
        yield ' \\\n    && rm -rf /var/lib/apt/lists/*\n'
    if environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'apt_packages'):
        pass
        yield '\n# --- apt packages'
        if environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'apt_debs'):
            pass
            yield ' and the private .deb files shipped with the spec'
        yield '.\n'
        if environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'apt_debs'):
            pass
            yield 'COPY deps/apt/ '
            yield str(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'staging'))
            yield '/apt/\n'
        yield 'RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\\n    apt-get update \\\n    && apt-get install -y --no-install-recommends \\\n'
        for l_1_word in environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'apt_packages'):
            _loop_vars = {}
            pass
            yield '       '
            yield str(l_1_word)
            yield ' \\\n'
        l_1_word = missing
        yield '    && rm -rf /var/lib/apt/lists/*'
        if environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'apt_debs'):
            pass
            yield ' '
            yield str(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'staging'))
            yield '/apt'
        yield '\n'
    if environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'runtime_packages'):
        pass
        yield '\n# --- language runtimes:'
        if environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'r'):
            pass
            yield ' R for [r]'
        if (environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'r') and environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'java')):
            pass
            yield ' and'
        if environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'java'):
            pass
            yield ' a Java runtime for [maven]'
        yield '.\nRUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\\n    mkdir -p /usr/share/man/man1 \\\n    && apt-get update \\\n    && apt-get install -y --no-install-recommends '
        yield str(t_1(context.eval_ctx, environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'runtime_packages'), ' '))
        yield ' \\\n    && rm -rf /var/lib/apt/lists/*\n'
    yield '\n# --- Python: a venv works the same on the official python image and on a Debian/Ubuntu base.\nENV VIRTUAL_ENV='
    yield str(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'venv'))
    yield ' \\\n    PATH='
    yield str(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'venv'))
    yield '/bin:${PATH} \\\n    PIP_DISABLE_PIP_VERSION_CHECK=1 \\\n    PYTHONUNBUFFERED=1\nRUN '
    yield str(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'python_bin'))
    yield ' -m venv '
    yield str(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'venv'))
    yield ' \\\n    && '
    yield str(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'venv'))
    yield '/bin/python -c '
    yield str(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'python_check'))
    yield '\n'
    if environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'pip'):
        pass
        yield 'COPY deps/python/ '
        yield str(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'staging'))
        yield '/python/\n'
        if environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'pip_secrets'):
            pass
            yield '# Index credentials are build secrets mounted on this step only (never ARG/ENV, never in a layer).\n'
        yield 'RUN --mount=type=cache,target=/root/.cache/pip \\\n'
        for l_1_s in environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'pip_secrets'):
            _loop_vars = {}
            pass
            yield '    --mount=type=secret,id='
            yield str(environment.getattr(l_1_s, 'id'))
            yield ' \\\n'
        l_1_s = missing
        if environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'pip_secrets'):
            pass
            yield '    for id in '
            l_1_loop = missing
            for l_1_s, l_1_loop in LoopContext(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'pip_secrets'), undefined):
                _loop_vars = {}
                pass
                yield str(environment.getattr(l_1_s, 'id'))
                if (not environment.getattr(l_1_loop, 'last')):
                    pass
                    yield ' '
            l_1_loop = l_1_s = missing
            yield '; do \\\n      test -s "/run/secrets/$id" || { echo "specc: build secret \'$id\' is missing: see BUILD.md (--secret id=$id,...)" >&2; exit 1; }; \\\n    done \\\n'
            for l_1_s in environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'pip_secrets'):
                _loop_vars = {}
                pass
                yield '    && '
                yield str(environment.getattr(l_1_s, 'env'))
                yield '="$(cat /run/secrets/'
                yield str(environment.getattr(l_1_s, 'id'))
                yield ')" && export '
                yield str(environment.getattr(l_1_s, 'env'))
                yield ' \\\n'
            l_1_s = missing
            yield '    && pip install \\\n'
        else:
            pass
            yield '    pip install \\\n'
        for l_1_arg in environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'pip_args'):
            _loop_vars = {}
            pass
            yield '       '
            yield str(l_1_arg)
            yield ' \\\n'
        l_1_arg = missing
        yield '    && rm -rf '
        yield str(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'staging'))
        yield '/python\n'
    if (environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'maven_stage') or environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'maven_jars')):
        pass
        yield '\n# --- Maven jars on the classpath'
        if environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'maven_jars'):
            pass
            yield ' (plus the private jars shipped with the spec)'
        yield '.\n'
        if environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'maven_stage'):
            pass
            yield 'COPY --from=maven-jars '
            yield str(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'jars_dir'))
            yield '/ '
            yield str(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'jars_dir'))
            yield '/\n'
        if environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'maven_jars'):
            pass
            yield 'COPY deps/maven/jars/ '
            yield str(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'jars_dir'))
            yield '/\n'
        yield 'ENV CLASSPATH="'
        yield str(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'jars_dir'))
        yield '/*" \\\n    SPARK_CLASSPATH="'
        yield str(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'jars_dir'))
        yield '/*"\n'
    if environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'r'):
        pass
        yield "\n# --- R packages from the spec's repository (pinned versions where given) and private sources.\nCOPY deps/r/ "
        yield str(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'staging'))
        yield '/r/\nRUN Rscript '
        yield str(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'staging'))
        yield '/r/install.R \\\n    && rm -rf '
        yield str(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'staging'))
        yield '/r\n'
    if environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'env'):
        pass
        yield '\n# --- environment: '
        yield str(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'env_label'))
        yield '\nENV '
        l_1_loop = missing
        for (l_1_key, l_1_value), l_1_loop in LoopContext(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'env'), undefined):
            _loop_vars = {}
            pass
            yield str(l_1_key)
            yield '='
            yield str(l_1_value)
            if (not environment.getattr(l_1_loop, 'last')):
                pass
                yield ' \\\n    '
        l_1_loop = l_1_key = l_1_value = missing
        yield '\n'
    if environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'code'):
        pass
        yield '\n# --- code (on PYTHONPATH): changes here rebuild only the layers below.\nCOPY code/ '
        yield str(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'code_dir'))
        yield '/\n'
    if environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'model'):
        pass
        yield '\n# --- the logged MLflow model, last.\nCOPY model/ '
        yield str(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'model_dir'))
        yield '/\n'
    if environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'serve'):
        pass
        yield "\n# --- serving: mlflow's scoring server as a non-root user"
        if (not environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'model')):
            pass
            yield '; mount or COPY the model into '
            yield str(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'model_dir'))
        yield '.\nWORKDIR /home/'
        yield str(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'user_name'))
        yield '\nUSER '
        yield str(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'user_uid'))
        yield '\nEXPOSE '
        yield str(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'port'))
        yield '\nHEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \\\n    CMD '
        yield str(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'healthcheck'))
        yield '\nENTRYPOINT '
        yield str(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'entrypoint'))
        yield '\n'

blocks = {}
debug_info = '2=19&3=23&7=25&8=27&11=30&18=32&20=34&21=36&22=38&23=40&26=43&29=45&32=49&34=52&39=54&42=56&44=59&45=63&46=66&51=69&52=73&54=77&57=83&59=86&63=96&68=99&69=101&72=103&73=107&74=111&75=114&76=116&80=120&81=124&83=127&84=131&87=140&88=144&94=155&95=159&97=163&99=165&101=168&102=172&103=175&105=179&106=182&108=185&109=187&111=189&114=192&115=194&116=196&118=198&120=201&121=204&125=215&128=218&130=220&133=223&135=225&137=228&138=233&139=235&140=237&142=239&143=241'

# GENERATED by scripts/compile_templates.py from targets/docker/Dockerfile.j2 (Jinja2 3.1.6)
