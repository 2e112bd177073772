{{- /*
Render-time checks: combinations the gateway would refuse at startup (or that cannot work) fail
`helm install`/`helm template` with a message naming the values to change, instead of a pod that
crash-loops. Included once, from the ConfigMap, which every install renders.
*/ -}}
{{- define "bifrost.validate" -}}
{{- $mode := .Values.storage.mode }}
{{- if not (has $mode (list "sqlite" "postgres")) }}
{{- fail (printf "ERROR: storage.mode must be \"sqlite\" or \"postgres\", got %q." $mode) }}
{{- end }}
{{- $kind := (.Values.workload).kind | default "" }}
{{- if not (has $kind (list "" "Deployment" "StatefulSet")) }}
{{- fail (printf "ERROR: workload.kind must be empty, \"Deployment\" or \"StatefulSet\", got %q." $kind) }}
{{- end }}
{{- $usesPostgres := or (and .Values.storage.configStore.enabled (eq (include "bifrost.configStoreType" .) "postgres")) (and .Values.storage.logsStore.enabled (eq (include "bifrost.logsStoreType" .) "postgres")) }}
{{- if and $usesPostgres (not (and .Values.postgresql.external.enabled .Values.postgresql.external.host)) }}
{{- fail "ERROR: PostgreSQL storage needs postgresql.external.enabled: true and postgresql.external.host (this chart does not run a bundled PostgreSQL)." }}
{{- end }}
{{- $c := .Values.bifrost.cluster }}
{{- if $c.enabled }}
{{- if not (and .Values.storage.configStore.enabled (eq (include "bifrost.configStoreType" .) "postgres")) }}
{{- fail "ERROR: bifrost.cluster.enabled requires PostgreSQL: set storage.mode: postgres and postgresql.external.* (SQLite is single-node only)." }}
{{- end }}
{{- if not (and $c.gossip $c.gossip.port) }}
{{- fail "ERROR: bifrost.cluster.gossip.port is required when bifrost.cluster.enabled is true." }}
{{- end }}
{{- $g := $c.gossip.config | default dict }}
{{- range $field := list "timeoutSeconds" "successThreshold" "failureThreshold" }}
{{- if not (index $g $field) }}
{{- fail (printf "ERROR: bifrost.cluster.gossip.config.%s is required when bifrost.cluster.enabled is true." $field) }}
{{- end }}
{{- end }}
{{- $d := $c.discovery | default dict }}
{{- if $d.enabled }}
{{- $types := list "kubernetes" "dns" "udp" "consul" "etcd" "mdns" }}
{{- if not $d.type }}
{{- fail (printf "ERROR: bifrost.cluster.discovery.type is required when discovery is enabled (one of %s)." (join ", " $types)) }}
{{- end }}
{{- if not (has $d.type $types) }}
{{- fail (printf "ERROR: bifrost.cluster.discovery.type must be one of %s, got %q." (join ", " $types) $d.type) }}
{{- end }}
{{- if and (has $d.type (list "consul" "etcd" "udp")) (not $d.serviceName) }}
{{- fail (printf "ERROR: bifrost.cluster.discovery.serviceName is required for %s discovery." $d.type) }}
{{- end }}
{{- if and (eq $d.type "consul") (not $d.consulAddress) }}
{{- fail "ERROR: bifrost.cluster.discovery.consulAddress is required for consul discovery (e.g. consul.consul.svc.cluster.local:8500)." }}
{{- end }}
{{- if and (eq $d.type "etcd") (not $d.etcdEndpoints) }}
{{- fail "ERROR: bifrost.cluster.discovery.etcdEndpoints is required for etcd discovery." }}
{{- end }}
{{- if and (eq $d.type "dns") (not $d.dnsNames) }}
{{- fail "ERROR: bifrost.cluster.discovery.dnsNames is required for dns discovery." }}
{{- end }}
{{- if and (eq $d.type "udp") (not (and $d.udpBroadcastPort $d.allowedAddressSpace)) }}
{{- fail "ERROR: udp discovery requires both bifrost.cluster.discovery.udpBroadcastPort and bifrost.cluster.discovery.allowedAddressSpace." }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
