# hostkit in a container: the embedded default (SQLite in /data, in-process fan-out).
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY hostkit ./hostkit
COPY web ./web
COPY exports ./exports
RUN pip install --no-cache-dir . && useradd --system --home /data hostkit && mkdir -p /data && chown hostkit /data
USER hostkit
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
# Phones must reach the host machine, not the container: set HOSTKIT_PUBLIC_URL.
CMD ["sh", "-c", "hostkit serve --data /data --host 0.0.0.0 --port 8000 --public-url \"$HOSTKIT_PUBLIC_URL\""]
