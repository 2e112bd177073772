{{- /*
Names, labels and the few decisions several templates share (workload kind, headless service
name, store types), kept in one place so the Deployment/StatefulSet, Services, RBAC and HPA agree.
*/ -}}

{{- define "bifrost.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "bifrost.fullname" -}}
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

{{- define "bifrost.selectorLabels" -}}
app.kubernetes.io/name: {{ include "bifrost.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- /* Pods and the main Service carry component=server, so the headless Service is told apart. */ -}}
{{- define "bifrost.serverSelectorLabels" -}}
{{ include "bifrost.selectorLabels" . }}
app.kubernetes.io/component: server
{{- end }}

{{- define "bifrost.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "bifrost.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "bifrost.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "bifrost.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "bifrost.headlessName" -}}
{{- printf "%s-headless" (include "bifrost.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- /* "true" when the pods run as a StatefulSet: workload.kind, else Bifrost's rule (SQLite with a volume per pod). */ -}}
{{- define "bifrost.useStatefulSet" -}}
{{- $kind := (.Values.workload).kind | default "" }}
{{- if eq $kind "StatefulSet" }}true
{{- else if eq $kind "Deployment" }}
{{- else if and (eq .Values.storage.mode "sqlite") .Values.storage.persistence.enabled (not .Values.storage.persistence.existingClaim) }}true
{{- end }}
{{- end }}

{{- define "bifrost.configStoreType" -}}
{{- .Values.storage.configStore.type | default .Values.storage.mode }}
{{- end }}

{{- define "bifrost.logsStoreType" -}}
{{- .Values.storage.logsStore.type | default .Values.storage.mode }}
{{- end }}

{{- /* The discovery label selector: the value, else this release's pod labels. */ -}}
{{- define "bifrost.k8sLabelSelector" -}}
{{- $d := .Values.bifrost.cluster.discovery }}
{{- if $d.k8sLabelSelector }}{{ $d.k8sLabelSelector }}
{{- else }}{{ printf "app.kubernetes.io/name=%s,app.kubernetes.io/instance=%s" (include "bifrost.name" .) .Release.Name }}
{{- end }}
{{- end }}

{{- /* Recursively renames map keys from camelCase to snake_case (lists and values untouched); JSON out. */ -}}
{{- define "bifrost.snakeKeys" -}}
{{- $out := dict }}
{{- range $k, $v := . }}
{{- if kindIs "map" $v }}
{{- $_ := set $out (snakecase $k) (include "bifrost.snakeKeys" $v | fromJson) }}
{{- else }}
{{- $_ := set $out (snakecase $k) $v }}
{{- end }}
{{- end }}
{{- $out | toJson }}
{{- end }}
