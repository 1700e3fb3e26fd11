# Lethe as a container: Debian-slim Node.js 22, the published package (compiled JavaScript, no
# dev dependencies), a non-root user, `lethe` as the entry point.
# Build: docker build -t lethe .
# Run:   docker run --rm -v "$PWD:/work" lethe validate policies
# CI builds it and runs `lethe --help` and `lethe demo` in it (.ci/docker-smoke).
# The base image is pinned to an exact Node.js release; bump it deliberately.
FROM node:22.12.0-bookworm-slim AS pack
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm pack --pack-destination /tmp && mv /tmp/lethe-*.tgz /tmp/lethe.tgz

FROM node:22.12.0-bookworm-slim
ENV NODE_ENV=production
COPY --from=pack /tmp/lethe.tgz /tmp/lethe.tgz
RUN npm install -g --omit=dev --ignore-scripts --no-audit --no-fund /tmp/lethe.tgz \
 && rm /tmp/lethe.tgz && npm cache clean --force \
 && useradd --create-home --uid 10001 lethe \
 && mkdir -p /work && chown lethe:lethe /work
USER lethe
WORKDIR /work
ENTRYPOINT ["lethe"]
CMD ["--help"]
