#!/bin/sh
# Start of the UI image: renders the site with TODO_API_UPSTREAM filled in (only that
# variable, so nginx's own $variables stay) into /tmp, then runs nginx in the foreground.
set -eu
: "${TODO_API_UPSTREAM:?TODO_API_UPSTREAM must name the api role, e.g. http://todo-api:8080}"
mkdir -p /tmp/nginx
envsubst '${TODO_API_UPSTREAM}' </etc/nginx/templates/default.conf.template >/tmp/nginx/default.conf
exec nginx -g 'daemon off;'
