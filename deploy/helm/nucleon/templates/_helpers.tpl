{{/* The chart's name and the release's full name (63 characters at most). */}}
{{- define "nucleon.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "nucleon.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "nucleon.labels" -}}
app.kubernetes.io/name: {{ include "nucleon.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "nucleon.selector" -}}
app.kubernetes.io/name: {{ include "nucleon.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "nucleon.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{- define "nucleon.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "nucleon.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The settings every process shares: database, master key, root key, metrics token, identity. */}}
{{- define "nucleon.env" -}}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ required "database.existingSecret is required: server and worker share one PostgreSQL" .Values.database.existingSecret }}
      key: {{ .Values.database.key }}
- name: NUCLEON_MASTER_KEY
  valueFrom:
    secretKeyRef:
      name: {{ required "masterKey.existingSecret is required: every replica must seal and open secrets with one key" .Values.masterKey.existingSecret }}
      key: {{ .Values.masterKey.key }}
{{- if .Values.rootKey.existingSecret }}
- name: NUCLEON_ROOT_ACCESS_KEY_ID
  valueFrom:
    secretKeyRef:
      name: {{ .Values.rootKey.existingSecret }}
      key: {{ .Values.rootKey.accessKeyIdKey }}
- name: NUCLEON_ROOT_SECRET_ACCESS_KEY
  valueFrom:
    secretKeyRef:
      name: {{ .Values.rootKey.existingSecret }}
      key: {{ .Values.rootKey.secretAccessKeyKey }}
{{- end }}
{{- if .Values.metrics.token.existingSecret }}
- name: NUCLEON_METRICS_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ .Values.metrics.token.existingSecret }}
      key: {{ .Values.metrics.token.key }}
{{- end }}
- name: NUCLEON_REGION
  value: {{ .Values.region | quote }}
{{- if .Values.accountId }}
- name: NUCLEON_ACCOUNT_ID
  value: {{ .Values.accountId | quote }}
{{- end }}
{{- if .Values.publicUrl }}
- name: NUCLEON_PUBLIC_URL
  value: {{ .Values.publicUrl | quote }}
{{- end }}
- name: NUCLEON_DB_POOL_SIZE
  value: {{ .Values.database.poolSize | quote }}
- name: NUCLEON_LOG_LEVEL
  value: {{ .Values.logLevel | quote }}
- name: NUCLEON_LOG_FORMAT
  value: json
{{- end -}}
