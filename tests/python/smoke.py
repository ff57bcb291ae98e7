#!/usr/bin/python3
"""A smoke scenario across the four services from Python stubs that protoc and
grpc_python_plugin generate from protos/ (build/python): proof that a client
which is not ours speaks the suite's wire format, error details included.

    PYTHONPATH=build/python /usr/bin/python3 tests/python/smoke.py \
        --identify=127.0.0.1:50051 --loyalty=127.0.0.1:50052 \
        --complaints=127.0.0.1:50053 --segment=127.0.0.1:50054

Against the secured suite, `eval "$(./crm env)"` first: the client
certificate and token are read from CRMCTL_TLS_* and CRMCTL_TOKEN.
Exit status 0 when every step holds; 1 with the failed step on stderr.
"""
import argparse
import os
import sys
import uuid

import grpc
from google.rpc import error_details_pb2, status_pb2

from crm.complaints.v1 import complaints_pb2, complaints_pb2_grpc
from crm.identify.v1 import identifier_pb2, identify_pb2, identify_pb2_grpc
from crm.loyalty.v1 import ledger_pb2, loyalty_pb2, loyalty_pb2_grpc, program_pb2
from crm.segment.v1 import segment_pb2, segment_pb2_grpc

TIMEOUT = 10


def check(condition, what):
    if not condition:
        raise AssertionError(what)


def error_reason(error):
    """The google.rpc.ErrorInfo reason carried in grpc-status-details-bin."""
    for key, value in error.trailing_metadata() or ():
        if key == "grpc-status-details-bin":
            status = status_pb2.Status.FromString(value)
            for detail in status.details:
                info = error_details_pb2.ErrorInfo()
                if detail.Unpack(info):
                    return info.reason
    return None


def channel(address):
    """Plaintext, or mutual TLS with a bearer token when CRMCTL_TLS_CA_FILE,
    CRMCTL_TLS_CERT_FILE, CRMCTL_TLS_KEY_FILE and CRMCTL_TOKEN are set, as
    `eval "$(./crm env)"` sets them for the secured suite."""
    ca = os.environ.get("CRMCTL_TLS_CA_FILE")
    if not ca:
        return grpc.insecure_channel(address)
    def read(name):
        with open(os.environ[name], "rb") as f:
            return f.read()
    tls = grpc.ssl_channel_credentials(read("CRMCTL_TLS_CA_FILE"), read("CRMCTL_TLS_KEY_FILE"),
                                       read("CRMCTL_TLS_CERT_FILE"))
    token = grpc.access_token_call_credentials(os.environ.get("CRMCTL_TOKEN", ""))
    return grpc.secure_channel(address, grpc.composite_channel_credentials(tls, token))


def run(args):
    identify = identify_pb2_grpc.IdentifyServiceStub(channel(args.identify))
    loyalty = loyalty_pb2_grpc.LoyaltyServiceStub(channel(args.loyalty))
    complaints = complaints_pb2_grpc.ComplaintsServiceStub(channel(args.complaints))
    segment = segment_pb2_grpc.SegmentServiceStub(channel(args.segment))
    card = str(uuid.uuid4().int)[:12]

    # Register a customer, with a member card.
    customer = identify.CreateCustomer(identify_pb2.CreateCustomerRequest(
        request_id=str(uuid.uuid4()),
        customer=identify_pb2.Customer(
            kind=identify_pb2.CUSTOMER_KIND_PERSON,
            category=identify_pb2.CUSTOMER_CATEGORY_CONSUMER,
            display_name="Wang Fang",
            identifiers=[identifier_pb2.Identifier(
                type=identifier_pb2.IDENTIFIER_TYPE_MEMBER_CARD, value=card)])),
        timeout=TIMEOUT).customer
    check(len(customer.customer_id) == 26, "CreateCustomer returns a customer id")
    found = identify.LookupCustomer(identify_pb2.LookupCustomerRequest(
        identifier=identifier_pb2.Identifier(
            type=identifier_pb2.IDENTIFIER_TYPE_MEMBER_CARD, value=card)), timeout=TIMEOUT)
    check(found.customer.customer_id == customer.customer_id, "LookupCustomer finds it by card")

    # Errors carry their reason in the standard details.
    try:
        identify.GetCustomer(identify_pb2.GetCustomerRequest(
            customer_id="01ARZ3NDEKTSV4RRFFQ69G5FAV"), timeout=TIMEOUT)
        check(False, "GetCustomer of an unknown id fails")
    except grpc.RpcError as error:
        check(error.code() == grpc.StatusCode.NOT_FOUND, f"NOT_FOUND, got {error.code()}")
        check(error_reason(error) == "CUSTOMER_NOT_FOUND",
              f"reason CUSTOMER_NOT_FOUND, got {error_reason(error)}")

    # Record purchases: 2 x 150.00 CNY at one point per yuan.
    program = loyalty.CreateProgram(loyalty_pb2.CreateProgramRequest(
        request_id=str(uuid.uuid4()),
        program=program_pb2.Program(display_name="Smoke club", currency_code="CNY",
                                    points_per_currency_unit=1)), timeout=TIMEOUT).program
    member = loyalty.EnrollMember(loyalty_pb2.EnrollMemberRequest(
        program_id=program.program_id, customer_id=customer.customer_id),
        timeout=TIMEOUT).member
    for till in ("till-7/1", "till-7/2"):
        bought = loyalty.RecordPurchase(loyalty_pb2.RecordPurchaseRequest(
            purchase=ledger_pb2.Purchase(
                member_id=member.member_id, source_transaction_id=till,
                lines=[ledger_pb2.PurchaseLine(sku="rice", quantity=3, amount_minor=15000)])),
            timeout=TIMEOUT)
        check(bought.purchase.points_earned == 150, "150 points a purchase")
    balance = loyalty.GetMember(loyalty_pb2.GetMemberRequest(member_id=member.member_id),
                                timeout=TIMEOUT).member.balance
    check(balance == 300, f"balance 300 after two purchases, got {balance}")

    # Read the tier.
    segment.SetTierPolicy(segment_pb2.SetTierPolicyRequest(policy=segment_pb2.TierPolicy(
        tier="vip", priority=900, sla_class="premium",
        contact_channel=segment_pb2.CONTACT_CHANNEL_KEY_ACCOUNT_MANAGER)), timeout=TIMEOUT)
    segment.AssignCustomerTier(segment_pb2.AssignCustomerTierRequest(
        tier=segment_pb2.CustomerTier(customer_id=customer.customer_id, tier="vip",
                                      reason="smoke test")), timeout=TIMEOUT)
    tier = segment.GetCustomerTier(segment_pb2.GetCustomerTierRequest(
        customer_id=customer.customer_id), timeout=TIMEOUT)
    check(tier.tier.tier == "vip" and tier.policy.sla_class == "premium", "tier vip, premium SLA")

    # File a complaint by card and resolve it with compensation points.
    by = complaints_pb2.Actor(actor="python-smoke")
    complaint = complaints.FileComplaint(complaints_pb2.FileComplaintRequest(
        request_id=str(uuid.uuid4()),
        complaint=complaints_pb2.Complaint(channel=complaints_pb2.CHANNEL_PHONE,
                                           subject="late delivery",
                                           description="the rice came a week late"),
        customer_identifier=identifier_pb2.Identifier(
            type=identifier_pb2.IDENTIFIER_TYPE_MEMBER_CARD, value=card)),
        timeout=TIMEOUT).complaint
    check(complaint.customer_id == customer.customer_id, "the complaint is linked by card")
    check(complaint.tier == "vip", "the complaint carries the tier")
    cid = complaint.complaint_id
    complaints.AcknowledgeComplaint(complaints_pb2.AcknowledgeComplaintRequest(
        complaint_id=cid, by=by), timeout=TIMEOUT)
    complaints.AssessComplaint(complaints_pb2.AssessComplaintRequest(
        complaint_id=cid, by=by,
        assessment=complaints_pb2.Assessment(valid=True, category="delivery")), timeout=TIMEOUT)
    complaints.ProposeResolution(complaints_pb2.ProposeResolutionRequest(
        complaint_id=cid, by=by, remedies=[complaints_pb2.Remedy(
            type=complaints_pb2.REMEDY_TYPE_COMPENSATION_POINTS, points=100,
            loyalty_member_id=member.member_id)]), timeout=TIMEOUT)
    complaints.RecordCustomerDecision(complaints_pb2.RecordCustomerDecisionRequest(
        complaint_id=cid, by=by, accepted=True), timeout=TIMEOUT)
    resolve = complaints_pb2.ResolveComplaintRequest(
        request_id=str(uuid.uuid4()), complaint_id=cid, by=by,
        outcome=complaints_pb2.OUTCOME_CODE_NON_MONETARY_RELIEF)
    for _ in range(2):  # a retry changes nothing
        resolved = complaints.ResolveComplaint(resolve, timeout=TIMEOUT).complaint
        check(resolved.resolution.compensation_status ==
              complaints_pb2.COMPENSATION_STATUS_GRANTED, "compensation granted")
    balance = loyalty.GetMember(loyalty_pb2.GetMemberRequest(member_id=member.member_id),
                                timeout=TIMEOUT).member.balance
    check(balance == 400, f"balance 400 after the compensation, exactly once; got {balance}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for name, port in (("identify", 50051), ("loyalty", 50052), ("complaints", 50053),
                       ("segment", 50054)):
        parser.add_argument(f"--{name}", default=f"127.0.0.1:{port}")
    try:
        run(parser.parse_args())
    except (AssertionError, grpc.RpcError) as failure:
        print(f"smoke: FAILED: {failure}", file=sys.stderr)
        return 1
    print("smoke: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
