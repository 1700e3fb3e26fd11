# Lethe as a container: Debian-slim Node.js, the published package (compiled JavaScript), a
# non-root user, `lethe` as the entry point. Build: docker build -t lethe .
# Run:   docker run --rm -v "$PWD:/work" -w /work lethe validate policies
FROM node:22-bookworm-slim AS pack
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm pack --pack-destination /tmp && mv /tmp/lethe-*.tgz /tmp/lethe.tgz

FROM node:22-bookworm-slim
ENV NODE_ENV=production
COPY --from=pack /tmp/lethe.tgz /tmp/lethe.tgz
RUN npm install -g --omit=dev --ignore-scripts --no-audit --no-fund /tmp/lethe.tgz \
 && rm /tmp/lethe.tgz && npm cache clean --force \
 && useradd --create-home --uid 10001 lethe
USER lethe
WORKDIR /work
ENTRYPOINT ["lethe"]
CMD ["--help"]
