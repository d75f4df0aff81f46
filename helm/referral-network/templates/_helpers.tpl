{{/*
Named templates shared by the chart's manifests. Plain Go templates and Sprig functions only, no
library chart. The ports and health paths below are the application's fixed contract.
*/}}

{{/* Chart name, overridable with nameOverride. */}}
{{- define "referral-network.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name used as the prefix of every resource: fullnameOverride, else <release>-<chart> (or just
<release> when it already contains the chart name). Kubernetes names are limited to 63 characters.
*/}}
{{- define "referral-network.fullname" -}}
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

{{/* Chart name and version for the helm.sh/chart label. */}}
{{- define "referral-network.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels put on every resource. They carry no app.kubernetes.io/component, so that only the silo
pods (which add component: silo) match the Services' and the PodDisruptionBudget's selectors, and
the migration Job's pod does not.
*/}}
{{- define "referral-network.labels" -}}
helm.sh/chart: {{ include "referral-network.chart" . }}
app.kubernetes.io/name: {{ include "referral-network.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* The metrics Service's own labels, by which a ServiceMonitor selects it and nothing else. */}}
{{- define "referral-network.metricsLabels" -}}
app.kubernetes.io/name: {{ include "referral-network.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: metrics
{{- end }}

{{/* Labels selecting the silo pods. Immutable in a Deployment: never add values that may change. */}}
{{- define "referral-network.selectorLabels" -}}
app.kubernetes.io/name: {{ include "referral-network.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: silo
{{- end }}

{{/* Orleans ServiceId (stable for the lifetime of the data). */}}
{{- define "referral-network.serviceId" -}}
{{- .Values.cluster.serviceId | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Orleans ClusterId: cluster.clusterId, else the release's full name. */}}
{{- define "referral-network.clusterId" -}}
{{- default (include "referral-network.fullname" .) .Values.cluster.clusterId | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels read by Microsoft.Orleans.Hosting.Kubernetes (KubernetesHostingOptions.ServiceIdLabel and
ClusterIdLabel). The silo selects its fellow pods with them and patches them onto its own pod if
they are missing; setting them in the pod template lets the ORLEANS_* variables be read from them.
*/}}
{{- define "referral-network.orleansLabels" -}}
orleans/serviceId: {{ include "referral-network.serviceId" . | quote }}
orleans/clusterId: {{ include "referral-network.clusterId" . | quote }}
{{- end }}

{{/* Name of the ServiceAccount used by the silo pods. */}}
{{- define "referral-network.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "referral-network.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Image reference; the tag defaults to the chart's appVersion. */}}
{{- define "referral-network.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/*
Non-secret settings as "NAME: value" lines: the ConfigMap's data, and the environment of the
migration Job (which runs before the ConfigMap exists on a first install). Names use ASP.NET
Core's "__" section separator.
*/}}
{{- define "referral-network.settings" -}}
ASPNETCORE_HTTP_PORTS: "8080"
ReferralNetwork__Profile: "production"
RabbitMq__Host: {{ .Values.rabbitmq.host | quote }}
RabbitMq__Port: {{ .Values.rabbitmq.port | quote }}
RabbitMq__VirtualHost: {{ .Values.rabbitmq.virtualHost | quote }}
Identity__Issuer: {{ required "identity.issuer is required: the public issuer URL of the OpenID Connect server, e.g. https://referrals.example.org/" .Values.identity.issuer | quote }}
Identity__SigningCertificate__Path: {{ printf "%s/%s" .Values.identity.certificates.mountPath .Values.identity.certificates.signingCertificateKey | quote }}
Identity__EncryptionCertificate__Path: {{ printf "%s/%s" .Values.identity.certificates.mountPath .Values.identity.certificates.encryptionCertificateKey | quote }}
Protection__KeyRingPath: {{ printf "%s/%s" .Values.protection.keyRing.mountPath .Values.protection.keyRing.key | quote }}
Matching__NetworkKeyId: {{ .Values.matching.networkKey.keyId | toString | quote }}
{{- with .Values.matching.threshold }}
Matching__Threshold: {{ . | toString | quote }}
{{- end }}
{{- with .Values.matching.pass.pageSize }}
Matching__PassPageSize: {{ . | toString | quote }}
{{- end }}
{{- with .Values.matching.pass.pause }}
Matching__PassPause: {{ . | toString | quote }}
{{- end }}
Cluster__ServiceId: {{ include "referral-network.serviceId" . | quote }}
Cluster__ClusterId: {{ include "referral-network.clusterId" . | quote }}
Cluster__Kubernetes: {{ .Values.cluster.kubernetesHosting | toString | quote }}
Telemetry__LogFormat: {{ .Values.telemetry.logFormat | quote }}
{{- if .Values.telemetry.metricsPort }}
Telemetry__MetricsPort: {{ .Values.telemetry.metricsPort | toString | quote }}
{{- end }}
{{- if .Values.telemetry.otlpEndpoint }}
OTEL_EXPORTER_OTLP_ENDPOINT: {{ .Values.telemetry.otlpEndpoint | quote }}
OTEL_EXPORTER_OTLP_PROTOCOL: {{ .Values.telemetry.otlpProtocol | quote }}
{{- end }}
{{- range $country, $age := .Values.retention.after }}
{{- if not (regexMatch "^[A-Z]{2}$" $country) }}
{{- fail (printf "retention.after.%s: a country is its ISO 3166 alpha-2 code in upper case, e.g. TH" $country) }}
{{- end }}
{{- if not (kindIs "string" $age) }}
{{- fail (printf "retention.after.%s: the age is a duration string, e.g. \"1825.00:00:00\" for five years" $country) }}
{{- end }}
Retention__After__{{ $country }}: {{ $age | quote }}
{{- end }}
{{- with .Values.retention.checkPeriod }}
Retention__CheckPeriod: {{ . | quote }}
{{- end }}
{{- with .Values.smtp.host }}
Smtp__Host: {{ . | quote }}
Smtp__Port: {{ int64 $.Values.smtp.port | toString | quote }}
Smtp__EnableSsl: {{ $.Values.smtp.enableSsl | toString | quote }}
Smtp__From: {{ required "smtp.from is required with smtp.host: the sender address of invitations and notices" $.Values.smtp.from | quote }}
{{- end }}
{{- range $index, $target := .Values.webhooks.allowedTargets }}
Webhooks__AllowedTargets__{{ $index }}: {{ $target | quote }}
{{- end }}
{{- with .Values.webhooks.retrySchedule }}
Webhooks__RetrySchedule: {{ . | quote }}
{{- end }}
{{- with .Values.webhooks.timeout }}
Webhooks__Timeout: {{ . | quote }}
{{- end }}
{{- with .Values.webhooks.disableAfter }}
Webhooks__DisableAfter: {{ . | quote }}
{{- end }}
{{- with .Values.webhooks.rotationOverlap }}
Webhooks__RotationOverlap: {{ . | quote }}
{{- end }}
{{- with .Values.webhooks.maxSubscriptionsPerOrganization }}
Webhooks__MaxSubscriptionsPerOrganization: {{ int64 . | toString | quote }}
{{- end }}
{{- range $name, $provider := .Values.identity.federation }}
{{- include "referral-network.checkFederationName" $name }}
{{- $at := printf "Identity__Federation__%s" $name }}
{{ $at }}__DisplayName: {{ required (printf "identity.federation.%s.displayName is required: the sign-in page's button names the provider" $name) $provider.displayName | quote }}
{{ $at }}__Authority: {{ required (printf "identity.federation.%s.authority is required: the provider's issuer URL" $name) $provider.authority | quote }}
{{ $at }}__ClientId: {{ required (printf "identity.federation.%s.clientId is required: the platform's client id at the provider" $name) $provider.clientId | quote }}
{{- range $index, $country := (required (printf "identity.federation.%s.countries is required: the countries whose people sign in there" $name) $provider.countries) }}
{{ $at }}__Countries__{{ $index }}: {{ $country | quote }}
{{- end }}
{{- with $provider.personClaim }}
{{ $at }}__PersonClaim: {{ . | quote }}
{{- end }}
{{- range $index, $scope := $provider.scopes }}
{{ $at }}__Scopes__{{ $index }}: {{ $scope | quote }}
{{- end }}
{{- range $index, $method := $provider.secondFactorMethods }}
{{ $at }}__SecondFactorMethods__{{ $index }}: {{ $method | quote }}
{{- end }}
{{- if hasKey $provider "passwordsToo" }}
{{ $at }}__PasswordsToo: {{ $provider.passwordsToo | toString | quote }}
{{- end }}
{{- end }}
{{- range $category, $level := .Values.logging }}
Logging__LogLevel__{{ $category }}: {{ $level | quote }}
{{- end }}
{{- range $name, $value := .Values.extraConfig }}
{{- /* Helm reads a values file's numbers as float64, which print as 1e+06 from a million on; .NET
cannot bind that to an integer setting, so whole numbers are printed as integers. */}}
{{- if and (kindIs "float64" $value) (eq $value (floor $value)) }}
{{ $name }}: {{ int64 $value | toString | quote }}
{{- else }}
{{ $name }}: {{ $value | toString | quote }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Secret settings: every one is a secretKeyRef to an existing Secret, never a value. Used by the
silo Deployment and by the migration Job.
*/}}
{{- define "referral-network.secretEnv" -}}
- name: ConnectionStrings__Orleans
  valueFrom:
    secretKeyRef:
      name: {{ .Values.postgresql.orleans.existingSecret }}
      key: {{ .Values.postgresql.orleans.connectionStringKey }}
- name: ConnectionStrings__Platform
  valueFrom:
    secretKeyRef:
      name: {{ .Values.postgresql.platform.existingSecret }}
      key: {{ .Values.postgresql.platform.connectionStringKey }}
- name: RabbitMq__Username
  valueFrom:
    secretKeyRef:
      name: {{ .Values.rabbitmq.existingSecret }}
      key: {{ .Values.rabbitmq.usernameKey }}
- name: RabbitMq__Password
  valueFrom:
    secretKeyRef:
      name: {{ .Values.rabbitmq.existingSecret }}
      key: {{ .Values.rabbitmq.passwordKey }}
- name: Identity__SigningCertificate__Password
  valueFrom:
    secretKeyRef:
      name: {{ .Values.identity.certificates.existingSecret }}
      key: {{ .Values.identity.certificates.signingPasswordKey }}
- name: Identity__EncryptionCertificate__Password
  valueFrom:
    secretKeyRef:
      name: {{ .Values.identity.certificates.existingSecret }}
      key: {{ .Values.identity.certificates.encryptionPasswordKey }}
- name: Matching__NetworkKey
  valueFrom:
    secretKeyRef:
      name: {{ .Values.matching.networkKey.existingSecret }}
      key: {{ .Values.matching.networkKey.key }}
{{- range $country, $store := .Values.residency }}
{{- if not (regexMatch "^[A-Z]{2}$" $country) }}
{{- fail (printf "residency.%s: a country is its ISO 3166 alpha-2 code in upper case, e.g. TH (it becomes Residency__<COUNTRY>)" $country) }}
{{- end }}
- name: Residency__{{ $country }}
  valueFrom:
    secretKeyRef:
      name: {{ required (printf "residency.%s.existingSecret is required: the Secret holding that country's connection string" $country) $store.existingSecret }}
      key: {{ required (printf "residency.%s.connectionStringKey is required: the key of the connection string in that Secret" $country) $store.connectionStringKey }}
{{- end }}
{{- end }}

{{/*
Secrets only the silos need, not the migration Job: the SMTP credentials and the federated providers' client
secrets. Each is rendered only when its Secret is named.
*/}}
{{- define "referral-network.siloSecretEnv" -}}
{{- if and .Values.smtp.host .Values.smtp.credentials.existingSecret }}
- name: Smtp__UserName
  valueFrom:
    secretKeyRef:
      name: {{ .Values.smtp.credentials.existingSecret }}
      key: {{ .Values.smtp.credentials.userNameKey }}
- name: Smtp__Password
  valueFrom:
    secretKeyRef:
      name: {{ .Values.smtp.credentials.existingSecret }}
      key: {{ .Values.smtp.credentials.passwordKey }}
{{- end }}
{{- range $name, $provider := .Values.identity.federation }}
{{- with $provider.clientSecret }}
{{- if .existingSecret }}
- name: Identity__Federation__{{ $name }}__ClientSecret
  valueFrom:
    secretKeyRef:
      name: {{ .existingSecret }}
      key: {{ required (printf "identity.federation.%s.clientSecret.key is required with its existingSecret" $name) .key }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}

{{/*
A federated provider's name is part of its callback address and of its settings' names: lower-case letters,
digits and dashes, as the application checks at start.
*/}}
{{- define "referral-network.checkFederationName" -}}
{{- if not (regexMatch "^[a-z0-9][a-z0-9-]{0,39}$" .) }}
{{- fail (printf "identity.federation.%s: a provider's name is lower-case letters, digits and dashes (it is part of its callback address /signin-federation/<name>)" .) }}
{{- end }}
{{- end }}

{{/*
Volume with the two PKCS#12 files only (the password keys of the same Secret are not mounted;
they reach the process as environment variables).
*/}}
{{- define "referral-network.certificatesVolume" -}}
- name: certificates
  secret:
    secretName: {{ .Values.identity.certificates.existingSecret }}
    # 0440: readable by the owner and by fsGroup, which the non-root user belongs to.
    defaultMode: 288
    items:
      - key: {{ .Values.identity.certificates.signingCertificateKey }}
        path: {{ .Values.identity.certificates.signingCertificateKey }}
      - key: {{ .Values.identity.certificates.encryptionCertificateKey }}
        path: {{ .Values.identity.certificates.encryptionCertificateKey }}
- name: key-ring
  secret:
    secretName: {{ .Values.protection.keyRing.existingSecret }}
    defaultMode: 288
    items:
      - key: {{ .Values.protection.keyRing.key }}
        path: {{ .Values.protection.keyRing.key }}
{{- end }}
