"""Median nanoseconds per botocore SigV4Auth.add_auth on the IAM ListAccessKeys request SigV4Bench signs.

Usage: python3 bench_sigv4_botocore.py [count]
"""
import statistics
import sys
import time

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

count = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
batch = 10
credentials = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
body = "Action=ListAccessKeys&UserName=snowplow-operator&Version=2010-05-08"


def fresh_request():
    return AWSRequest(
        method="POST",
        url="https://iam.amazonaws.com/",
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )


def sign(request):
    SigV4Auth(credentials, "iam", "us-east-1").add_auth(request)


for _ in range(200):
    sign(fresh_request())
per_signature = []
for _ in range(max(1, count // batch)):
    requests = [fresh_request() for _ in range(batch)]
    start = time.perf_counter_ns()
    for request in requests:
        sign(request)
    per_signature.append((time.perf_counter_ns() - start) / batch)
print(round(statistics.median(per_signature)))
