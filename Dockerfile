# The npm-provenance program, built from source, run as a non-root user with
# only the binary, the app's release build and git. It serves the app and
# badges by default, and runs any other subcommand (audit, verify, static):
#
#   docker build -t npm-provenance .
#   docker run --rm -p 8080:8080 npm-provenance
#   docker run --rm -p 8080:8080 npm-provenance serve --host 0.0.0.0 --port 8080 \
#       --dist /srv/dist --registry URL
#   docker run --rm -v "$PWD:/work" -w /work npm-provenance audit package-lock.json
#   docker run --rm -v "$PWD:/work" -w /work npm-provenance audit package-lock.json \
#       --base origin/main --format github
#
# Without arguments it runs `serve --host 0.0.0.0 --port 8080 --dist
# /srv/dist`; arguments replace that whole command, so flags for the server
# come after those (see README, "Running the badge server"). It answers
# /healthz and /metrics, logs a line per request (add --log-format json for
# collectors) and stops gracefully on SIGTERM. `audit --base REF` reads the
# base lockfile with `git show`, from the repository mounted at /work.

FROM rust:1-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# The toolchain scripts/build-app.sh expects: the wasm32 target, trunk,
# wasm-bindgen at the version in Cargo.lock, and the npm packages
# (binaryen's wasm-opt) exactly as package-lock.json says.
RUN rustup target add wasm32-unknown-unknown \
 && cargo install --locked trunk@0.22.1 \
 && cargo install --locked wasm-bindgen-cli@"$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)" \
 && npm ci --no-audit --no-fund
RUN PATH="/src/node_modules/.bin:$PATH" bash scripts/build-app.sh \
 && cargo build --release --locked -p npm-provenance

FROM debian:bookworm-slim
# git reads the base lockfile of `audit --base REF`. The repository is
# mounted, owned by whoever owns it on the host, never by this image's user:
# without safe.directory git would refuse to read it.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates git \
 && rm -rf /var/lib/apt/lists/* \
 && git config --system --add safe.directory '*' \
 && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin npm-provenance
COPY --from=build /src/target/release/npm-provenance /usr/local/bin/npm-provenance
COPY --from=build /src/dist /srv/dist
USER 10001
EXPOSE 8080
STOPSIGNAL SIGTERM
ENTRYPOINT ["npm-provenance"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8080", "--dist", "/srv/dist"]
