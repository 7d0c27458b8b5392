# Herald's images: one Dockerfile, one image per service (docs/docker.md).
#   docker build --build-arg SERVICE=router -t herald/router .   (k8s/base names the images herald/<service>)
# SERVICE is one of: ingest, router, dispatcher-email, dispatcher-sms, dispatcher-push, dlq,
# provider-sandbox (the fake SendGrid/Twilio/FCM of dev and compose; never in production).
# The ingest image also runs the provisioning step (topics, migrations, schemas):
#   node node_modules/@herald/shared/dist/provision-main.js
# and creates API keys: node dist/cli/create-api-key.js <name> [--admin]

ARG NODE_IMAGE=node:20-alpine

# ---- build: the whole workspace, compiled, then one package's production tree in /out ----------
FROM ${NODE_IMAGE} AS build
WORKDIR /src
# pnpm at the version package.json pins (packageManager), in this stage only.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
RUN npm install -g --no-fund --no-audit "$(node -p "require('./package.json').packageManager.split('+')[0]")"
# Every package of the lockfile into pnpm's store: a layer that changes only with the lockfile.
RUN pnpm fetch
COPY . .
RUN pnpm install --frozen-lockfile --offline && pnpm -s build

# Everything above is the same for every SERVICE, so builds of the seven images share it.
ARG SERVICE
# pnpm 10 deploys a workspace without injected workspace packages only with --legacy. The deployed
# tree is the package as published (no "files" list: sources and tests too) with node_modules of
# production dependencies; sources, tests and build info are removed, dist and migrations stay, and
# the dependencies lose what only editors and readers use (type declarations, source maps, Markdown).
RUN set -eu; \
    case "${SERVICE:-}" in \
      ingest) dir=services/ingest; port=8080 ;; \
      router) dir=services/router; port=8082 ;; \
      dispatcher-email) dir=services/dispatcher-email; port=8083 ;; \
      dispatcher-sms) dir=services/dispatcher-sms; port=8084 ;; \
      dispatcher-push) dir=services/dispatcher-push; port=8085 ;; \
      dlq) dir=services/dlq; port=8086 ;; \
      provider-sandbox) dir=packages/provider-sandbox; port=8025 ;; \
      *) echo "SERVICE must be one of ingest, router, dispatcher-email, dispatcher-sms, dispatcher-push, dlq, provider-sandbox (got '${SERVICE:-}')" >&2; exit 1 ;; \
    esac; \
    pnpm --filter "./$dir" deploy --prod --legacy --offline /out; \
    for d in /out /out/node_modules/@herald/*; do \
      if [ -d "$d" ]; then (cd "$d" && rm -rf src test tsconfig.json tsconfig.tsbuildinfo); fi; \
    done; \
    find /out/node_modules/.pnpm -type f -not -path '*/@herald+*' \( -name '*.d.ts' -o -name '*.d.mts' \
      -o -name '*.d.cts' -o -name '*.map' -o -iname '*.md' \) -delete; \
    rm -f /out/node_modules/.modules.yaml; \
    printf '%s\n' \
      "// Docker HEALTHCHECK: GET /healthz on the service's own port; exit 0 on 200 (no curl in the image)." \
      "const port = process.env.HTTP_PORT || process.env.SANDBOX_PORT || '$port';" \
      "fetch('http://127.0.0.1:' + port + '/healthz', { signal: AbortSignal.timeout(2500) })" \
      "  .then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1));" \
      >/out/healthcheck.cjs; \
    test -f /out/dist/main.js

# ---- the image: node, tini and the production tree; no build tools, no sources ---------------
FROM ${NODE_IMAGE}
ARG SERVICE
# tini as PID 1: forwards SIGTERM/SIGINT to node (each service drains on SIGTERM) and reaps zombies.
RUN apk add --no-cache tini
ENV NODE_ENV=production
WORKDIR /app
# Owned by root, read-only to the service's user.
COPY --from=build /out /app
# The node image's unprivileged user, by number so Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 CMD ["node", "healthcheck.cjs"]
ENTRYPOINT ["/sbin/tini", "--"]
CMD ["node", "--enable-source-maps", "dist/main.js"]
LABEL org.opencontainers.image.title="herald-${SERVICE}" \
      org.opencontainers.image.licenses="Apache-2.0"
