# The production image: gunicorn web, Celery worker and beat all run from it.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=kpcs.settings.production

# WeasyPrint's libraries (Pango, HarfBuzz), fonts for all six UN scripts (Latin, Cyrillic,
# Arabic, Han) so PDFs render in every language, and gettext for the message catalogues.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
      fonts-noto-core fonts-noto-cjk fonts-dejavu-core gettext \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.lock ./
RUN pip install --no-cache-dir uv==0.13.8 \
 && uv pip install --system --no-cache -r requirements.lock

COPY . .
# Build-time steps need settings but no secrets or database.
RUN SECRET_KEY=build ALLOWED_HOSTS=build python manage.py compilemessages --ignore=.venv \
 && SECRET_KEY=build ALLOWED_HOSTS=build python manage.py collectstatic --no-input \
 && useradd --system --home /app kpcs && mkdir -p /app/var/media && chown -R kpcs /app/var

USER kpcs
EXPOSE 8000
CMD ["gunicorn", "kpcs.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", \
     "--access-logfile", "-", "--timeout", "60"]
