"""Creates the local S3/SQS resources Intake uses: a bucket, an event queue with a dead-letter
queue (redrive after 5 receives) and the bucket notification for claims/, audit/ and commerce/.
Idempotent. Prints the queue URL."""
import json
import os
import sys

import boto3

endpoint = os.environ["AWS_ENDPOINT_URL"]
region = os.environ.get("AWS_REGION", "us-east-1")
bucket = sys.argv[1] if len(sys.argv) > 1 else "intake-uploads"
queue = sys.argv[2] if len(sys.argv) > 2 else "intake-s3-events"

s3 = boto3.client("s3", endpoint_url=endpoint, region_name=region)
sqs = boto3.client("sqs", endpoint_url=endpoint, region_name=region)

existing = [b["Name"] for b in s3.list_buckets().get("Buckets", [])]
if bucket not in existing:
    s3.create_bucket(Bucket=bucket)

dlq_url = sqs.create_queue(QueueName=queue + "-dlq")["QueueUrl"]
dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
queue_url = sqs.create_queue(
    QueueName=queue,
    Attributes={
        "VisibilityTimeout": "120",
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "5"}),
    },
)["QueueUrl"]
queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

s3.put_bucket_notification_configuration(
    Bucket=bucket,
    NotificationConfiguration={
        "QueueConfigurations": [
            {
                "Id": "intake-" + prefix.rstrip("/"),
                "QueueArn": queue_arn,
                "Events": ["s3:ObjectCreated:*"],
                "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": prefix}]}},
            }
            for prefix in ("claims/", "audit/", "commerce/")
        ]
    },
)
print(queue_url)
