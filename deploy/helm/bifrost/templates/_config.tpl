{{- /*
config.json from the values: Bifrost's snake_case keys built from the chart's camelCase values.
Secrets never land here: a key or password that comes from a Kubernetes Secret is written as an
`env.NAME` reference, and the pod gets NAME from that Secret (see _pod.tpl).
*/ -}}

{{- define "bifrost.postgresStoreConfig" -}}
{{- $pg := .root.Values.postgresql.external }}
{{- $cfg := dict "host" $pg.host "port" (toString $pg.port) "db_name" $pg.database "user" $pg.user "ssl_mode" $pg.sslMode }}
{{- if $pg.existingSecret }}
{{- $_ := set $cfg "password" "env.BIFROST_POSTGRES_PASSWORD" }}
{{- else if $pg.password }}
{{- $_ := set $cfg "password" $pg.password }}
{{- end }}
{{- with .store.maxIdleConns }}{{- $_ := set $cfg "max_idle_conns" (int .) }}{{- end }}
{{- with .store.maxOpenConns }}{{- $_ := set $cfg "max_open_conns" (int .) }}{{- end }}
{{- $cfg | toJson }}
{{- end }}

{{- /* One store block (config_store or logs_store): disabled, PostgreSQL, or SQLite in appDir. */ -}}
{{- define "bifrost.storeBlock" -}}
{{- if not .store.enabled }}
{{- dict "enabled" false | toJson }}
{{- else if eq .type "postgres" }}
{{- dict "enabled" true "type" "postgres" "config" (include "bifrost.postgresStoreConfig" . | fromJson) | toJson }}
{{- else }}
{{- dict "enabled" true "type" "sqlite" "config" (dict "path" (printf "%s/%s" .root.Values.bifrost.appDir .file)) | toJson }}
{{- end }}
{{- end }}

{{- define "bifrost.clusterConfig" -}}
{{- $c := .Values.bifrost.cluster }}
{{- $out := dict "enabled" true }}
{{- with $c.type }}{{- $_ := set $out "type" . }}{{- end }}
{{- with $c.nodeId }}{{- $_ := set $out "node_id" . }}{{- end }}
{{- with $c.region }}{{- $_ := set $out "region" . }}{{- end }}
{{- with $c.peers }}{{- $_ := set $out "peers" . }}{{- end }}
{{- $g := $c.gossip.config }}
{{- $_ := set $out "gossip" (dict "port" (int $c.gossip.port) "config" (dict "timeout_seconds" $g.timeoutSeconds "success_threshold" (int $g.successThreshold) "failure_threshold" (int $g.failureThreshold))) }}
{{- with $c.grpc }}
{{- $grpc := dict }}
{{- with .port }}{{- $_ := set $grpc "port" (int .) }}{{- end }}
{{- with .dialTimeoutSeconds }}{{- $_ := set $grpc "dial_timeout_seconds" . }}{{- end }}
{{- $_ := set $out "grpc" $grpc }}
{{- end }}
{{- $d := $c.discovery | default dict }}
{{- if and (not $d.enabled) (not $c.peers) }}
{{- /* Neither peers nor discovery: find the release's own pods through its headless Service. */ -}}
{{- $d = dict "enabled" true "type" "dns" "dnsNames" (list (printf "%s.%s.svc.%s" (include "bifrost.headlessName" .) .Release.Namespace (.Values.clusterDomain | default "cluster.local"))) }}
{{- end }}
{{- if $d.enabled }}
{{- $disc := dict "enabled" true "type" $d.type }}
{{- with $d.serviceName }}{{- $_ := set $disc "service_name" . }}{{- end }}
{{- /* Every replica gossips on gossip.port, so that is the port discovered addresses get. */ -}}
{{- $_ := set $disc "bind_port" (int ($d.bindPort | default $c.gossip.port)) }}
{{- with $d.dialTimeout }}{{- $_ := set $disc "dial_timeout" . }}{{- end }}
{{- with $d.allowedAddressSpace }}{{- $_ := set $disc "allowed_address_space" . }}{{- end }}
{{- if eq $d.type "kubernetes" }}
{{- $_ := set $disc "k8s_namespace" ($d.k8sNamespace | default .Release.Namespace) }}
{{- $_ := set $disc "k8s_label_selector" (include "bifrost.k8sLabelSelector" .) }}
{{- end }}
{{- with $d.dnsNames }}{{- $_ := set $disc "dns_names" . }}{{- end }}
{{- with $d.udpBroadcastPort }}{{- $_ := set $disc "udp_broadcast_port" (int .) }}{{- end }}
{{- with $d.consulAddress }}{{- $_ := set $disc "consul_address" . }}{{- end }}
{{- with $d.etcdEndpoints }}{{- $_ := set $disc "etcd_endpoints" . }}{{- end }}
{{- with $d.mdnsService }}{{- $_ := set $disc "mdns_service" . }}{{- end }}
{{- $_ := set $out "discovery" $disc }}
{{- end }}
{{- $out | toJson }}
{{- end }}

{{- /* bifrost.plugins: the named built-ins (config passed as written) then `custom` entries, in order. */ -}}
{{- define "bifrost.plugins" -}}
{{- $list := list }}
{{- $p := .Values.bifrost.plugins | default dict }}
{{- range $pair := list (list "telemetry" "telemetry") (list "logging" "logging") (list "governance" "governance") (list "semanticCache" "semantic_cache") }}
{{- $name := index $pair 1 }}
{{- $v := index $p (index $pair 0) | default dict }}
{{- if $v.enabled }}
{{- $entry := dict "enabled" true "name" $name "config" ($v.config | default dict) }}
{{- if hasKey $v "version" }}{{- $_ := set $entry "version" (int $v.version) }}{{- end }}
{{- $list = append $list $entry }}
{{- end }}
{{- end }}
{{- range $p.custom }}
{{- $entry := dict "enabled" (ternary .enabled true (hasKey . "enabled")) "name" .name }}
{{- with .path }}{{- $_ := set $entry "path" . }}{{- end }}
{{- with .config }}{{- $_ := set $entry "config" . }}{{- end }}
{{- with .placement }}{{- $_ := set $entry "placement" . }}{{- end }}
{{- if hasKey . "version" }}{{- $_ := set $entry "version" (int .version) }}{{- end }}
{{- if hasKey . "order" }}{{- $_ := set $entry "order" (int .order) }}{{- end }}
{{- $list = append $list $entry }}
{{- end }}
{{- dict "plugins" $list | toJson }}
{{- end }}

{{- define "bifrost.config" -}}
{{- $b := .Values.bifrost }}
{{- $config := dict "$schema" ($b.schemaUrl | default "https://www.getbifrost.ai/schema") }}
{{- with $b.sourceOfTruth }}{{- $_ := set $config "source_of_truth" . }}{{- end }}
{{- with $b.envLabel }}{{- $_ := set $config "env_label" . }}{{- end }}
{{- if $b.encryptionKeySecret.name }}
{{- $_ := set $config "encryption_key" "env.BIFROST_ENCRYPTION_KEY" }}
{{- else if $b.encryptionKey }}
{{- $_ := set $config "encryption_key" $b.encryptionKey }}
{{- end }}
{{- with $b.client }}{{- $_ := set $config "client" (include "bifrost.snakeKeys" . | fromJson) }}{{- end }}
{{- with $b.providers }}{{- $_ := set $config "providers" . }}{{- end }}
{{- with $b.governance }}
{{- $gov := dict }}
{{- range $k, $v := . }}{{- $_ := set $gov (snakecase $k) $v }}{{- end }}
{{- $_ := set $config "governance" $gov }}
{{- end }}
{{- $plugins := (include "bifrost.plugins" . | fromJson).plugins }}
{{- with $plugins }}{{- $_ := set $config "plugins" . }}{{- end }}
{{- $_ := set $config "config_store" (include "bifrost.storeBlock" (dict "root" . "store" .Values.storage.configStore "type" (include "bifrost.configStoreType" .) "file" "config.db") | fromJson) }}
{{- $logs := include "bifrost.storeBlock" (dict "root" . "store" .Values.storage.logsStore "type" (include "bifrost.logsStoreType" .) "file" "logs.db") | fromJson }}
{{- if and $logs.enabled .Values.storage.logsStore.writer }}
{{- $_ := set $logs "writer" (include "bifrost.snakeKeys" .Values.storage.logsStore.writer | fromJson) }}
{{- end }}
{{- $_ := set $config "logs_store" $logs }}
{{- if $b.cluster.enabled }}
{{- $_ := set $config "cluster_config" (include "bifrost.clusterConfig" . | fromJson) }}
{{- end }}
{{- $config | toPrettyJson }}
{{- end }}
