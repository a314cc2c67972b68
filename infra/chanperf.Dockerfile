# The chanperf services, built from the repository (context: the repository root).
#   docker build -f infra/chanperf.Dockerfile -t chanperf .
# One image; the service is chosen by the command: `serve --only ingestion|projection|alerting|query`.
FROM node:20-bookworm AS build
WORKDIR /app
# pnpm through npx, as scripts/setup.sh does; better-sqlite3 compiles with the image's toolchain.
ENV npm_config_manage_package_manager_versions=false
COPY . .
RUN npx -y pnpm@10 install --frozen-lockfile --reporter=append-only \
 && npx -y pnpm@10 exec tsc -b

FROM node:20-bookworm-slim
WORKDIR /app
COPY --from=build /app /app
# The embedded log / read models live in /data (a volume); owned by the unprivileged user.
RUN mkdir -p /data && chown node:node /data
USER node
ENV NODE_ENV=production \
    CHANPERF_DATA_DIR=/data \
    CHANPERF_HTTP_HOST=0.0.0.0 \
    CHANPERF_HTTP_PORT=8080
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "services/cli/dist/main.js"]
CMD ["serve"]
