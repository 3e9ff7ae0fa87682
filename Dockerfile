# syntax=docker/dockerfile:1
# Nucleon: one image for every role (`nucleon up`, `nucleon server`, `nucleon worker`, the care
# commands). Multi-stage: the build stage compiles with dev dependencies; the runtime stage is
# Debian slim with what template commands need (bubblewrap for the command sandbox, git, the
# AWS CLI v2), runs as an unprivileged user and holds no compiler or dev dependency.
# See README "Production" and docs/adr/0027-running-it-for-real.md.

ARG NODE_VERSION=22

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /src
# Manifests first, so the dependency layer is cached until they change.
COPY package.json package-lock.json ./
COPY packages/core/package.json packages/core/
COPY packages/protocol/package.json packages/protocol/
COPY packages/templates/package.json packages/templates/
COPY packages/console/package.json packages/console/
COPY packages/server/package.json packages/server/
COPY packages/cli/package.json packages/cli/
COPY packages/test-utils/package.json packages/test-utils/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && rm -rf packages/*/src packages/*/test packages/test-utils packages/*/tsconfig*.json \
           packages/*/*.tsbuildinfo packages/console/node_modules/.vite

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ARG AWS_CLI_VERSION=2.22.35
# bubblewrap: the command sandbox (ADR 0013); git: template/service sync and pull-request
# provisioning; the AWS CLI: template commands that call `aws`; tini: signals reach Node and
# zombies of template commands are reaped.
RUN apt-get update \
 && apt-get install -y --no-install-recommends bubblewrap git ca-certificates curl unzip tini \
 && arch="$(uname -m)" \
 && curl -fsSL "https://awscli.amazonaws.com/awscli-exe-linux-${arch}-${AWS_CLI_VERSION}.zip" -o /tmp/awscli.zip \
 && unzip -q /tmp/awscli.zip -d /tmp \
 && /tmp/aws/install \
 && rm -rf /tmp/aws /tmp/awscli.zip \
 && apt-get purge -y curl unzip \
 && apt-get autoremove -y \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 nucleon \
 && useradd --system --uid 10001 --gid nucleon --home-dir /var/lib/nucleon --create-home nucleon \
 && chmod 700 /var/lib/nucleon
WORKDIR /opt/nucleon
COPY --from=build --chown=root:root /src /opt/nucleon
ENV NODE_ENV=production \
    NUCLEON_HOST=0.0.0.0 \
    NUCLEON_PORT=8080 \
    NUCLEON_DATA_DIR=/var/lib/nucleon \
    NUCLEON_WORKSPACE_DIR=/tmp/nucleon-workspaces \
    PATH=/opt/nucleon/node_modules/.bin:$PATH
USER 10001:10001
VOLUME ["/var/lib/nucleon"]
EXPOSE 8080 9090
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.NUCLEON_PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["/usr/bin/tini", "--", "node", "/opt/nucleon/packages/cli/bin/nucleon.js"]
CMD ["up"]
