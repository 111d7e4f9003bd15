{{/* Chart name, truncated to the 63 characters Kubernetes names allow. */}}
{{- define "ferry.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full resource name: release-chart, unless the release already carries the chart name. */}}
{{- define "ferry.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "ferry.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "ferry.selectorLabels" -}}
app.kubernetes.io/name: {{ include "ferry.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "ferry.labels" -}}
helm.sh/chart: {{ include "ferry.chart" . }}
{{ include "ferry.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: ferry
{{- end }}

{{- define "ferry.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "ferry.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The Secret holding keys: the user's own, or the one this chart creates. */}}
{{- define "ferry.secretName" -}}
{{- default (include "ferry.fullname" .) .Values.secrets.existingSecret }}
{{- end }}

{{- define "ferry.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* Provider names with a key: from providerKeys, or listed for an existing Secret. */}}
{{- define "ferry.keyedProviders" -}}
{{- if .Values.secrets.existingSecret }}
{{- toJson .Values.secrets.existingProviderKeys }}
{{- else }}
{{- toJson (keys .Values.secrets.providerKeys | sortAlpha) }}
{{- end }}
{{- end }}

{{/* Gateway key names: from gatewayKeys, or listed for an existing Secret. */}}
{{- define "ferry.gatewayKeyNames" -}}
{{- if .Values.secrets.existingSecret }}
{{- toJson .Values.secrets.existingGatewayKeys }}
{{- else }}
{{- toJson (keys .Values.secrets.gatewayKeys | sortAlpha) }}
{{- end }}
{{- end }}

{{/* Environment variable carrying one gateway key. */}}
{{- define "ferry.gatewayKeyEnv" -}}
{{- printf "FERRY_GATEWAY_KEY_%s" (. | upper | replace "-" "_") }}
{{- end }}

{{/* Environment variable carrying one webhook endpoint's signing secret. */}}
{{- define "ferry.webhookSecretEnv" -}}
{{- printf "FERRY_WEBHOOK_SECRET_%s" (. | upper | replace "-" "_") }}
{{- end }}

{{/* Environment variable carrying one provider's key. */}}
{{- define "ferry.keyEnv" -}}
{{- printf "FERRY_PROVIDER_KEY_%s" (. | upper | replace "-" "_") }}
{{- end }}

{{/* Whether a cursor secret is configured, in either kind of Secret. */}}
{{- define "ferry.hasCursorSecret" -}}
{{- if or .Values.secrets.resultsCursorSecret .Values.secrets.existingSecret }}true{{- end }}
{{- end }}

{{/*
Refuses configurations that would break at run time: several replicas on local storage
each keep their own held files, batch records, idempotency records and spools, so a
follow-up call on another replica fails or does the work twice.
*/}}
{{- define "ferry.validate" -}}
{{- $several := or (gt (int .Values.replicaCount) 1) .Values.autoscaling.enabled }}
{{- $sharedVolume := and .Values.persistence.enabled (has "ReadWriteMany" .Values.persistence.accessModes) }}
{{- if and $several (eq .Values.storage.type "local") (not $sharedVolume) }}
{{- fail "ferry: with replicaCount > 1 or autoscaling.enabled, replicas must share their state: set storage.type=s3 (with storage.s3.bucket), or persistence.enabled with accessModes [ReadWriteMany]; otherwise a call that lands on another replica misses what the first one kept" }}
{{- end }}
{{- if and (eq .Values.storage.type "s3") (not .Values.storage.s3.bucket) }}
{{- fail "ferry: storage.type=s3 needs storage.s3.bucket" }}
{{- end }}
{{- if and .Values.ferry.console.enabled (not (include "ferry.gatewayKeyNames" . | fromJsonArray)) }}
{{- fail "ferry: ferry.console.enabled needs a gateway key to sign in with: set secrets.gatewayKeys (or secrets.existingGatewayKeys)" }}
{{- end }}
{{- end }}
