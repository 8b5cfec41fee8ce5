{{/* Names, labels and the list of workloads, shared by every template. */}}

{{- define "todo.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 40 | trimSuffix "-" -}}
{{- end -}}

{{/* Prefix of every object; with release "todo" the Dapr app ids are todo-api, todo-audit, … */}}
{{- define "todo.fullname" -}}
{{- default .Release.Name .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- end -}}

{{/* image.tag is required, and never "latest": every deploy names the commit it runs. */}}
{{- define "todo.image" -}}
{{- $tag := required "image.tag is required: set the commit SHA to deploy (--set image.tag=$GITHUB_SHA); the chart has no default tag" .Values.image.tag | toString -}}
{{- if eq $tag "latest" -}}
{{- fail "image.tag must not be \"latest\": deploy an immutable tag (the commit SHA), so a rollback returns to the same image" -}}
{{- end -}}
{{ .Values.image.repository }}:{{ $tag }}
{{- end -}}

{{/* (dict "root" $ "role" "api") */}}
{{- define "todo.selectorLabels" -}}
app.kubernetes.io/name: {{ include "todo.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- if .role }}
app.kubernetes.io/component: {{ .role }}
{{- end }}
{{- end -}}

{{- define "todo.labels" -}}
{{ include "todo.selectorLabels" . }}
app.kubernetes.io/part-of: todo-platform
app.kubernetes.io/version: {{ .root.Values.image.tag | toString | trunc 63 | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{- end -}}

{{- define "todo.distributed" -}}
{{- if eq .Values.shape "distributed" }}true{{ end -}}
{{- end -}}

{{/*
The workloads as a YAML map, role -> settings: the enabled roles of .Values.roles, or
"all" (one replica, no autoscaling) for shape single. Consumed with fromYaml.
*/}}
{{- define "todo.workloads" -}}
{{- if eq .Values.shape "single" -}}
all: {{ merge (dict "enabled" true "replicas" 1 "autoscaling" (dict "enabled" false) "pdb" (dict "maxUnavailable" 1)) (deepCopy .Values.single) | toJson }}
{{- else -}}
{{- range $role, $cfg := .Values.roles }}
{{- if $cfg.enabled }}
{{ $role }}: {{ $cfg | toJson }}
{{- end }}
{{- end }}
{{- end -}}
{{- end -}}

{{/* The role a request path goes to (ingress backends): every workload but "all" has its own. */}}
{{- define "todo.backendRole" -}}
{{- $w := include "todo.workloads" .root | fromYaml -}}
{{- if hasKey $w .role }}{{ .role }}{{ else if hasKey $w "all" }}all{{ else }}api{{ end -}}
{{- end -}}
