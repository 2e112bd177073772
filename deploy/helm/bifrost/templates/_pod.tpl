{{- /*
The pod template shared by the Deployment and the StatefulSet: the gateway container with its
ports (HTTP; gossip TCP+UDP when cluster mode is on), env (APP_* and the secret-sourced values
config.json names as env.NAME), config.json mounted from the ConfigMap, probes, drain settings.
A `checksum/config` annotation rolls the pods when config.json changes.
*/ -}}
{{- define "bifrost.podTemplate" -}}
{{- $b := .Values.bifrost }}
{{- $cluster := $b.cluster.enabled }}
metadata:
  annotations:
    checksum/config: {{ include "bifrost.config" . | sha256sum }}
    {{- with .Values.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  labels:
    {{- include "bifrost.serverSelectorLabels" . | nindent 4 }}
    {{- with .Values.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  serviceAccountName: {{ include "bifrost.serviceAccountName" . }}
  automountServiceAccountToken: {{ or .Values.serviceAccount.automount (and $cluster (eq ($b.cluster.discovery).type "kubernetes")) }}
  {{- with .Values.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.podSecurityContext }}
  securityContext:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  terminationGracePeriodSeconds: {{ .Values.terminationGracePeriodSeconds }}
  {{- with .Values.initContainers }}
  initContainers:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  containers:
    - name: bifrost
      image: "{{ .Values.image.repository }}:{{ required "image.tag is required (e.g. --set image.tag=v1.4.11)" .Values.image.tag }}"
      imagePullPolicy: {{ .Values.image.pullPolicy }}
      {{- with .Values.securityContext }}
      securityContext:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      ports:
        - name: http
          containerPort: {{ $b.port }}
          protocol: TCP
        {{- if $cluster }}
        - name: gossip
          containerPort: {{ $b.cluster.gossip.port }}
          protocol: TCP
        - name: gossip-udp
          containerPort: {{ $b.cluster.gossip.port }}
          protocol: UDP
        {{- with ($b.cluster.grpc).port }}
        - name: grpc
          containerPort: {{ . }}
          protocol: TCP
        {{- end }}
        {{- end }}
      env:
        - { name: APP_DIR, value: {{ $b.appDir | quote }} }
        - { name: APP_PORT, value: {{ $b.port | quote }} }
        - { name: APP_HOST, value: {{ $b.host | quote }} }
        - { name: LOG_LEVEL, value: {{ $b.logLevel | quote }} }
        - { name: LOG_STYLE, value: {{ $b.logStyle | quote }} }
        # The drain deadline must end before the kubelet's SIGKILL (grace period after preStop).
        - { name: SHUTDOWN_TIMEOUT, value: {{ .Values.shutdownTimeoutSeconds | default (max 5 (sub (int .Values.terminationGracePeriodSeconds) (int .Values.shutdownMarginSeconds))) | quote }} }
        - { name: DRAIN_DELAY, value: {{ .Values.drainDelaySeconds | quote }} }
        - name: POD_NAME
          valueFrom: { fieldRef: { fieldPath: metadata.name } }
        - name: POD_NAMESPACE
          valueFrom: { fieldRef: { fieldPath: metadata.namespace } }
        - name: POD_IP
          valueFrom: { fieldRef: { fieldPath: status.podIP } }
        {{- with $b.encryptionKeySecret }}
        {{- if .name }}
        - name: BIFROST_ENCRYPTION_KEY
          valueFrom: { secretKeyRef: { name: {{ .name | quote }}, key: {{ .key | default "encryption-key" | quote }} } }
        {{- end }}
        {{- end }}
        {{- with .Values.postgresql.external }}
        {{- if and .enabled .existingSecret }}
        - name: BIFROST_POSTGRES_PASSWORD
          valueFrom: { secretKeyRef: { name: {{ .existingSecret | quote }}, key: {{ .passwordKey | default "password" | quote }} } }
        {{- end }}
        {{- end }}
        {{- with .Values.env }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
        {{- range $name, $value := .Values.extraEnv }}
        - { name: {{ $name | quote }}, value: {{ $value | toString | quote }} }
        {{- end }}
      {{- with .Values.envFrom }}
      envFrom:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      volumeMounts:
        - name: data
          mountPath: {{ $b.appDir }}
        - name: config
          mountPath: {{ printf "%s/config.json" $b.appDir }}
          subPath: config.json
          readOnly: true
        {{- with .Values.volumeMounts }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      livenessProbe:
        {{- toYaml .Values.livenessProbe | nindent 8 }}
      readinessProbe:
        {{- include "bifrost.readinessProbe" . | nindent 8 }}
      {{- with .Values.lifecycle }}
      lifecycle:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .Values.resources }}
      resources:
        {{- toYaml . | nindent 8 }}
      {{- end }}
  volumes:
    - name: config
      configMap:
        name: {{ include "bifrost.fullname" . }}-config
    {{- if not (include "bifrost.useStatefulSet" .) }}
    - name: data
      {{- if and (eq .Values.storage.mode "sqlite") .Values.storage.persistence.existingClaim }}
      persistentVolumeClaim:
        claimName: {{ .Values.storage.persistence.existingClaim }}
      {{- else }}
      emptyDir: {}
      {{- end }}
    {{- else if not (and (eq .Values.storage.mode "sqlite") .Values.storage.persistence.enabled) }}
    - name: data
      emptyDir: {}
    {{- end }}
    {{- with .Values.volumes }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- with .Values.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.topologySpreadConstraints }}
  topologySpreadConstraints:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}

{{- /* readinessProbe values; with cluster mode on, thresholds left unset come from gossip.config. */ -}}
{{- define "bifrost.readinessProbe" -}}
{{- $probe := deepCopy .Values.readinessProbe }}
{{- if .Values.bifrost.cluster.enabled }}
{{- $g := .Values.bifrost.cluster.gossip.config }}
{{- if not (hasKey $probe "timeoutSeconds") }}{{- $_ := set $probe "timeoutSeconds" (int $g.timeoutSeconds) }}{{- end }}
{{- if not (hasKey $probe "successThreshold") }}{{- $_ := set $probe "successThreshold" (int $g.successThreshold) }}{{- end }}
{{- if not (hasKey $probe "failureThreshold") }}{{- $_ := set $probe "failureThreshold" (int $g.failureThreshold) }}{{- end }}
{{- end }}
{{- toYaml $probe }}
{{- end }}
