FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
COPY server/package.json server/package.json
COPY dashboard/package.json dashboard/package.json
RUN npm ci --no-audit --no-fund
COPY . .
RUN node scripts/build-dashboard.mjs --force
ENV NODE_ENV=production PORT=4000 DATA_DIR=/data
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 4000
# /readyz: the database answers, migrations are applied, the event listener is connected (the
# slim image has no curl; node's fetch does). /healthz only says the process is alive.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s CMD node -e "fetch('http://127.0.0.1:4000/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "scripts/start.mjs"]
