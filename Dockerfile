FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
COPY server/package.json server/package.json
COPY dashboard/package.json dashboard/package.json
RUN npm ci --no-audit --no-fund
COPY . .
RUN node scripts/build-dashboard.mjs --force
ENV NODE_ENV=production PORT=4000 DATA_DIR=/data
EXPOSE 4000
CMD ["node", "scripts/start.mjs"]
