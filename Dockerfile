# hostkit in a container. On its own it runs the embedded default (SQLite in /data,
# in-process fan-out), as on a laptop; docker-compose.yml runs several of these behind
# Caddy on PostgreSQL and Redis.
FROM python:3.11-slim AS build
WORKDIR /src
# Everything the wheel takes: the package, and web/, locale/ and exports/ (force-included
# by pyproject.toml as the package's assets).
COPY pyproject.toml README.md ./
COPY hostkit ./hostkit
COPY web ./web
COPY locale ./locale
COPY exports ./exports
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
# pango for WeasyPrint's PDF digests, fonts so every letter and emoji has a glyph, and
# tini as PID 1: it hands docker stop's SIGTERM to hostkit, which drains and exits.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
       libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core fonts-noto-color-emoji tini \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links /wheels hostkit && rm -rf /wheels \
    && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin hostkit \
    && mkdir -p /data && chown hostkit /data
USER hostkit
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8000
ENV PYTHONUNBUFFERED=1
HEALTHCHECK --interval=5s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]
# Phones must reach hostkit by the address in its links: set --public-url (or
# HOSTKIT_PUBLIC_URL) to it, e.g. docker run -e HOSTKIT_PUBLIC_URL=http://192.168.1.20:8000
ENTRYPOINT ["tini", "--", "hostkit", "serve"]
CMD ["--data", "/data", "--host", "0.0.0.0", "--port", "8000"]
