# terraform apply -var-file=localstack.tfvars
# LocalStack must serve iam and sts besides s3 and sqs:
#   LOCALSTACK_SERVICES=s3,sqs,iam,sts docker compose up -d localstack
# The "intake-tf" prefix keeps these resources apart from the ones localstack/init creates
# (intake-uploads, intake-s3-events) in the same LocalStack.

use_localstack      = true
localstack_endpoint = "http://localhost:4566"
region              = "us-east-1"
name_prefix         = "intake-tf"
force_destroy       = true
