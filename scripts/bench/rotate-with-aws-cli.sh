#!/usr/bin/env bash
# rotate-with-aws-cli.sh USER [PROFILE]: one access key rotation the way popular cron scripts do it
# with the aws CLI: list the keys, create a new one, verify it with sts get-caller-identity
# (retrying while IAM propagates), write it into the shared credentials file with
# `aws configure set`, delete the old key. The benchmark partner of keyrotd (scripts/bench-vs-cli).
#
# Uses the credentials file in AWS_SHARED_CREDENTIALS_FILE and, for a local emulator, the endpoint
# in BENCH_ENDPOINT_URL. Like those scripts, it carries the new secret in a shell variable and
# passes it to `aws configure set` on the command line (visible in /proc/PID/cmdline): one of the
# things keyrotd does not do. Only for throwaway keys on a local emulator.
set -euo pipefail
user=$1
profile=${2:-default}
endpoint=()
[ -n "${BENCH_ENDPOINT_URL:-}" ] && endpoint=(--endpoint-url "$BENCH_ENDPOINT_URL")
export AWS_PROFILE=$profile AWS_DEFAULT_REGION=${AWS_DEFAULT_REGION:-us-east-1}

old_key=$(aws configure get aws_access_key_id --profile "$profile")
key_count=$(aws iam list-access-keys --user-name "$user" "${endpoint[@]}" \
  --query 'length(AccessKeyMetadata)' --output text)
if [ "$key_count" -ge 2 ]; then
  echo "rotate-with-aws-cli: $user already has two keys; delete one first" >&2
  exit 1
fi

read -r new_key new_secret < <(aws iam create-access-key --user-name "$user" "${endpoint[@]}" \
  --query 'AccessKey.[AccessKeyId,SecretAccessKey]' --output text)

# IAM is eventually consistent: retry the new key for a while before trusting it.
verified=false
for attempt in 1 2 3 4 5 6 7 8 9 10; do
  if AWS_ACCESS_KEY_ID=$new_key AWS_SECRET_ACCESS_KEY=$new_secret \
     aws sts get-caller-identity "${endpoint[@]}" >/dev/null 2>&1; then
    verified=true
    break
  fi
  sleep "$attempt"
done
if ! $verified; then
  echo "rotate-with-aws-cli: the new key $new_key does not work; deleting it" >&2
  aws iam delete-access-key --user-name "$user" --access-key-id "$new_key" "${endpoint[@]}"
  exit 1
fi

aws configure set aws_access_key_id "$new_key" --profile "$profile"
aws configure set aws_secret_access_key "$new_secret" --profile "$profile"
aws iam delete-access-key --user-name "$user" --access-key-id "$old_key" "${endpoint[@]}"
echo "rotated $old_key -> $new_key (new key verified at attempt $attempt)"
