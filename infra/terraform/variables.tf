# --- where --------------------------------------------------------------------------------

variable "region" {
  description = "AWS region for the bucket, the queues and the IAM resources' ARNs."
  type        = string
  default     = "us-east-1"
}

variable "name_prefix" {
  description = "Prefix of every resource name: <prefix>-uploads, <prefix>-s3-events, <prefix>-s3-events-dlq, <prefix>-sqs-worker, ..."
  type        = string
  default     = "intake"

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 3-40 characters of lower-case letters, digits and hyphens, not starting or ending with a hyphen (it becomes part of an S3 bucket name)."
  }
}

variable "bucket_name" {
  description = "Name of the uploads bucket. S3 bucket names are global: set one that is yours. Default: <name_prefix>-uploads."
  type        = string
  default     = null
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}

# --- LocalStack ---------------------------------------------------------------------------

variable "use_localstack" {
  description = "Point the provider at LocalStack (localstack_endpoint) with test credentials, path-style S3 and no account look-ups."
  type        = bool
  default     = false
}

variable "localstack_endpoint" {
  description = "LocalStack's edge URL, used for iam, s3, sqs and sts when use_localstack is true."
  type        = string
  default     = "http://localhost:4566"
}

variable "s3_use_path_style" {
  description = "Address buckets in the path rather than the host name (always on with use_localstack)."
  type        = bool
  default     = false
}

variable "skip_credentials_validation" {
  description = "Skip the provider's STS credentials check (always on with use_localstack)."
  type        = bool
  default     = false
}

# --- bucket -------------------------------------------------------------------------------

variable "kms_key_arn" {
  description = "KMS key for SSE-KMS on the bucket. Null: SSE-S3 (AES256). With a key, the worker policies also get kms:Decrypt and kms:GenerateDataKey on it."
  type        = string
  default     = null
}

variable "force_destroy" {
  description = "Let terraform destroy delete a bucket that still holds objects (for throwaway environments)."
  type        = bool
  default     = false
}

variable "noncurrent_version_expiration_days" {
  description = "Days after which overwritten or deleted object versions are removed."
  type        = number
  default     = 30
}

variable "notification_prefixes" {
  description = "Key prefixes whose ObjectCreated events go to the queue; one per route family in the Intake config."
  type        = list(string)
  default     = ["claims/", "audit/", "commerce/"]

  validation {
    condition     = length(var.notification_prefixes) > 0 && alltrue([for p in var.notification_prefixes : endswith(p, "/")])
    error_message = "notification_prefixes must be a non-empty list of prefixes ending in \"/\"."
  }
}

variable "archive_prefix" {
  description = "Prefix that routes with archive_prefix copy finished files to (Intake config routes[].archive_prefix). Must not overlap notification_prefixes."
  type        = string
  default     = "processed/"
}

variable "archive_source_prefixes" {
  description = "Prefixes of the routes that archive: the workers may delete objects there after copying them to archive_prefix."
  type        = list(string)
  default     = ["claims/"]
}

# --- queues -------------------------------------------------------------------------------

variable "visibility_timeout_seconds" {
  description = "Queue VisibilityTimeout; keep equal to sqs.visibility_seconds in the Intake config."
  type        = number
  default     = 120
}

variable "max_receive_count" {
  description = "Receives before SQS moves a message to the DLQ. Keep retry.max_attempts of the S3 handlers at or below it, so that the worker dead-letters a failing message itself."
  type        = number
  default     = 5

  validation {
    condition     = var.max_receive_count >= 1 && var.max_receive_count <= 1000
    error_message = "max_receive_count must be between 1 and 1000."
  }
}

variable "message_retention_seconds" {
  description = "How long the event queue keeps a message (default 4 days)."
  type        = number
  default     = 345600
}

variable "dlq_message_retention_seconds" {
  description = "How long the DLQ keeps a message (default and maximum 14 days); longer than the event queue's, since a moved message keeps its original enqueue time."
  type        = number
  default     = 1209600
}

# --- identities ---------------------------------------------------------------------------

variable "oidc_provider_arn" {
  description = "ARN of the EKS cluster's IAM OIDC provider. Set it to create IRSA roles for the Kubernetes service accounts below; empty: policies only, attach them yourself."
  type        = string
  default     = ""
}

variable "k8s_namespace" {
  description = "Namespace of the Intake service accounts (infra/k8s uses intake)."
  type        = string
  default     = "intake"
}

variable "sqs_worker_service_account" {
  description = "Service account of intake-sqs-worker."
  type        = string
  default     = "intake-sqs-worker"
}

variable "notify_worker_service_account" {
  description = "Service account of intake-notify-worker (s3.reprocess jobs read S3)."
  type        = string
  default     = "intake-notify-worker"
}

variable "ops_service_account" {
  description = "Service account of the intakectl toolbox pod."
  type        = string
  default     = "intake-ops"
}

variable "keda_operator_service_account" {
  description = "namespace:name of the KEDA operator's service account, trusted by the sqs-worker role so that a TriggerAuthentication with identityOwner: workload can read the queue depth. Empty: not trusted (attach the keda_sqs_scaler policy to KEDA's own role instead)."
  type        = string
  default     = "keda:keda-operator"
}

variable "ops_trusted_principal_arns" {
  description = "IAM principals (users, roles) allowed to assume the ops role to run intakectl from a workstation."
  type        = list(string)
  default     = []
}
