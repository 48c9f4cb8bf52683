#!/usr/bin/env bash
# Creates what Intake's sqs-worker consumes, the same shape as infra/terraform:
#   - the bucket (versioned), with an ObjectCreated notification per prefix to the queue;
#   - the event queue, its dead-letter queue and the redrive policy between them;
#   - the queue policy that lets only this bucket, in this account, send to the queue.
# LocalStack runs this at its READY stage on every start; every step is idempotent, and a
# failing step fails the script, which localstack/healthcheck.sh reports as unhealthy.
set -euo pipefail

export AWS_DEFAULT_REGION=${AWS_DEFAULT_REGION:-us-east-1}
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-test}
export AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-test}

bucket=${INTAKE_BUCKET:-intake-uploads}
queue=${INTAKE_QUEUE:-intake-s3-events}
dlq=${INTAKE_DLQ:-${queue}-dlq}
max_receive_count=${INTAKE_MAX_RECEIVE_COUNT:-5}
visibility_seconds=${INTAKE_VISIBILITY_SECONDS:-120}
read -r -a prefixes <<<"${INTAKE_NOTIFY_PREFIXES:-claims/ audit/ commerce/}"

log() { printf '[intake-init] %s\n' "$*"; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# --- bucket -------------------------------------------------------------------------------
if awslocal s3api head-bucket --bucket "$bucket" >/dev/null 2>&1; then
  log "bucket $bucket exists"
else
  if [ "$AWS_DEFAULT_REGION" = "us-east-1" ]; then
    awslocal s3api create-bucket --bucket "$bucket" >/dev/null
  else
    awslocal s3api create-bucket --bucket "$bucket" \
      --create-bucket-configuration "LocationConstraint=$AWS_DEFAULT_REGION" >/dev/null
  fi
  log "bucket $bucket created"
fi
# Versioned as in production, so that imports are keyed by versionId like there.
awslocal s3api put-bucket-versioning --bucket "$bucket" \
  --versioning-configuration Status=Enabled

# --- queues -------------------------------------------------------------------------------
# Created without attributes (create-queue refuses an existing queue with different ones),
# then configured with set-queue-attributes, which a restart can repeat.
queue_arn_of() {
  awslocal sqs get-queue-attributes --queue-url "$1" --attribute-names QueueArn \
    --query Attributes.QueueArn --output text
}

dlq_url=$(awslocal sqs create-queue --queue-name "$dlq" --query QueueUrl --output text)
dlq_arn=$(queue_arn_of "$dlq_url")
queue_url=$(awslocal sqs create-queue --queue-name "$queue" --query QueueUrl --output text)
queue_arn=$(queue_arn_of "$queue_url")
account_id=$(cut -d: -f5 <<<"$queue_arn")
bucket_arn="arn:aws:s3:::$bucket"

# Messages that land in the DLQ wait 14 days for an operator.
awslocal sqs set-queue-attributes --queue-url "$dlq_url" \
  --attributes MessageRetentionPeriod=1209600

# RedrivePolicy and Policy are JSON documents carried as JSON strings, hence the escaping.
cat >"$work/queue-attributes.json" <<JSON
{
  "VisibilityTimeout": "$visibility_seconds",
  "ReceiveMessageWaitTimeSeconds": "20",
  "MessageRetentionPeriod": "345600",
  "RedrivePolicy": "{\"deadLetterTargetArn\":\"$dlq_arn\",\"maxReceiveCount\":$max_receive_count}",
  "Policy": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"AllowUploadsBucketNotifications\",\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"s3.amazonaws.com\"},\"Action\":\"sqs:SendMessage\",\"Resource\":\"$queue_arn\",\"Condition\":{\"ArnEquals\":{\"aws:SourceArn\":\"$bucket_arn\"},\"StringEquals\":{\"aws:SourceAccount\":\"$account_id\"}}}]}"
}
JSON
awslocal sqs set-queue-attributes --queue-url "$queue_url" \
  --attributes "file://$work/queue-attributes.json"

# Only the event queue may use the DLQ.
cat >"$work/dlq-attributes.json" <<JSON
{
  "RedriveAllowPolicy": "{\"redrivePermission\":\"byQueue\",\"sourceQueueArns\":[\"$queue_arn\"]}"
}
JSON
awslocal sqs set-queue-attributes --queue-url "$dlq_url" \
  --attributes "file://$work/dlq-attributes.json"
log "queue $queue_url (redrive to $dlq after $max_receive_count receives)"

# --- notification -------------------------------------------------------------------------
# One configuration per prefix: S3 rejects overlapping prefixes for the same event type.
{
  printf '{\n  "QueueConfigurations": [\n'
  sep=""
  for prefix in "${prefixes[@]}"; do
    id="intake-$(tr -c 'A-Za-z0-9\n' '-' <<<"${prefix%/}")"
    printf '%s    {"Id": "%s", "QueueArn": "%s", "Events": ["s3:ObjectCreated:*"], "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "%s"}]}}}' \
      "$sep" "$id" "$queue_arn" "$prefix"
    sep=$',\n'
  done
  printf '\n  ]\n}\n'
} >"$work/notification.json"
awslocal s3api put-bucket-notification-configuration --bucket "$bucket" \
  --notification-configuration "file://$work/notification.json"
log "notification s3:ObjectCreated:* on s3://$bucket/{${prefixes[*]}} -> $queue"

log "ready: INTAKE_SQS_QUEUE_URL=$queue_url"
