{{/*
Names and labels. EKS add-on rules hold for every template: no hooks, no lookup, no
.Capabilities, and of .Release only .Release.Name and .Release.Namespace.
*/}}

{{- define "awsgw.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "awsgw.fullname" -}}
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

{{- define "awsgw.selectorLabels" -}}
app.kubernetes.io/name: {{ include "awsgw.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "awsgw.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "awsgw.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: controller
app.kubernetes.io/part-of: awsgw
{{- end }}

{{- define "awsgw.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "awsgw.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "awsgw.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/*
Checks that fail rendering with a message saying what to set.
*/}}
{{- define "awsgw.validate" -}}
{{- $_ := required "clusterName is required: set it to the EKS cluster name (--set clusterName=<name>). awsgw tags every AWS resource it creates with awsgw.io/cluster=<clusterName> and touches nothing without that tag." .Values.clusterName }}
{{- if and (not .Values.leaderElection.enabled) (gt (int .Values.replicaCount) 1) }}
{{- fail "leaderElection.enabled=false allows one replica only: set replicaCount=1 (two replicas without a lease would both write to AWS)" }}
{{- end }}
{{- $le := .Values.leaderElection }}
{{- if not (and (lt (float64 $le.retryPeriod) (float64 $le.renewDeadline)) (lt (float64 $le.renewDeadline) (float64 $le.leaseDuration))) }}
{{- fail "leaderElection: need retryPeriod < renewDeadline < leaseDuration" }}
{{- end }}
{{- end }}
