#!/bin/sh
# Rebuild the private packages under lib/ and dist/ from their sources in this folder.
# SOURCE_DATE_EPOCH and the tar/jar options keep the outputs byte-for-byte reproducible,
# so a rebuild without source changes leaves git clean (and the dependency hash stable).
set -eu
cd "$(dirname "$0")"
export SOURCE_DATE_EPOCH=1700000000

# Python wheel (hatchling backend)
python -m pip wheel --no-deps --no-build-isolation -w dist ./featurizer

# Debian package: DEBIAN/control + the files to install
find pkg-src -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
dpkg-deb --root-owner-group -Zgzip --build pkg-src/libchurn_1.0_amd64 lib/libchurn_1.0_amd64.deb

# Java jar: one class, compiled for Java 8 (the oldest JDK a supported DBR runs)
rm -rf build-jar && mkdir build-jar
javac --release 8 -d build-jar jar-src/com/example/churn/ChurnUdfs.java
jar --create --date=2023-11-14T22:13:20Z --file lib/churn-udfs-1.2.0.jar -C build-jar .
rm -rf build-jar

# R source package: what `R CMD build` produces, minus R's build-time stamps
tar --sort=name --mtime="@$SOURCE_DATE_EPOCH" --owner=0 --group=0 --numeric-owner \
    -C r-src -cf - churnr | gzip -n -9 > lib/churnr_0.3.0.tar.gz
