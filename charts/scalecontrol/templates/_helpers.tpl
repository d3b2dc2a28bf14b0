{{/* Chart name, truncated to the DNS label limit. */}}
{{- define "scalecontrol.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Fully qualified app name. */}}
{{- define "scalecontrol.fullname" -}}
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

{{- define "scalecontrol.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "scalecontrol.labels" -}}
helm.sh/chart: {{ include "scalecontrol.chart" . }}
{{ include "scalecontrol.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "scalecontrol.selectorLabels" -}}
app.kubernetes.io/name: {{ include "scalecontrol.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "scalecontrol.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "scalecontrol.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
The rules on namespaced kinds: read workloads and write only their scale subresource (or HPA bounds), own the
ScalePolicy/ScaleProposal CRs, emit Events. Granted cluster-wide (ClusterRole) or, with watchNamespaces, by a Role in
each listed namespace.
*/}}
{{- define "scalecontrol.namespacedRules" -}}
- apiGroups: ["apps"]
  resources: ["deployments", "statefulsets"]
  verbs: ["get", "list", "watch"]
- apiGroups: ["apps"]
  resources: ["deployments/scale", "statefulsets/scale"]
  verbs: ["get", "update"]
- apiGroups: ["autoscaling"]
  resources: ["horizontalpodautoscalers"]
  verbs: ["get", "list", "watch", "patch"]
- apiGroups: ["scalecontrol.io"]
  resources: ["scalepolicies", "scaleproposals"]
  verbs: ["get", "list", "watch", "create", "update", "delete"]
- apiGroups: ["scalecontrol.io"]
  resources: ["scalepolicies/status", "scaleproposals/status"]
  verbs: ["get", "update"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
# A workload's own pods, listed by its selector when its status shows READY below CURRENT (why: Pending, ImagePullBackOff…).
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["list"]
{{- end }}
