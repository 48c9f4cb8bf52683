output "bucket_name" {
  description = "The uploads bucket: put files under the notification prefixes."
  value       = aws_s3_bucket.uploads.id
}

output "bucket_arn" {
  value = aws_s3_bucket.uploads.arn
}

output "queue_url" {
  description = "INTAKE_SQS_QUEUE_URL for the Intake processes and the KEDA scaler."
  value       = aws_sqs_queue.events.url
}

output "queue_arn" {
  value = aws_sqs_queue.events.arn
}

output "dlq_url" {
  description = "Where SQS parks messages received max_receive_count times."
  value       = aws_sqs_queue.events_dlq.url
}

output "dlq_arn" {
  value = aws_sqs_queue.events_dlq.arn
}

output "policy_arns" {
  description = "Managed policies per process; attach them to your own roles when not using IRSA."
  value = {
    sqs_worker      = aws_iam_policy.sqs_worker.arn
    notify_worker   = aws_iam_policy.notify_worker.arn
    ops             = aws_iam_policy.ops.arn
    keda_sqs_scaler = aws_iam_policy.keda_sqs_scaler.arn
  }
}

output "role_arns" {
  description = "IRSA roles for the eks.amazonaws.com/role-arn annotations (empty without oidc_provider_arn); ops also with ops_trusted_principal_arns."
  value = merge(
    { for name, role in aws_iam_role.workload : replace(name, "-", "_") => role.arn },
    local.ops_role_enabled ? { ops = aws_iam_role.ops[0].arn } : {},
  )
}

output "intake_env" {
  description = "Environment for the Intake processes (the rest comes from the cluster's Secret)."
  value = {
    AWS_REGION           = var.region
    INTAKE_SQS_QUEUE_URL = aws_sqs_queue.events.url
  }
}
