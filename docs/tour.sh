#!/usr/bin/env bash
# The five-minute tour of the suite with crmctl, against `./crm up`:
#   PATH=$PWD/build/tools:$PATH docs/tour.sh
# (CRMCTL_IDENTIFY, CRMCTL_LOYALTY, ... point it elsewhere.) Each step is
# printed before it runs; the tour stops at the first failure.
set -euo pipefail
step() { printf '\n\033[1m# %s\033[0m\n' "$*"; }
run() { printf '$ crmctl %s\n' "$*"; crmctl "$@"; }
card=77$RANDOM$RANDOM

step "1. A customer with a member card, and a second record of the same person"
c=$(crmctl --get=customer.customer_id identify create-customer --customer.kind=person \
  --customer.category=consumer --customer.display_name="Li Lei" \
  --customer.identifiers.type=member_card --customer.identifiers.value="$card")
d=$(crmctl --get=customer.customer_id identify create-customer --customer.kind=person \
  --customer.category=consumer --customer.display_name="Lei Li" \
  --customer.identifiers.type=email --customer.identifiers.value="lei.$card@163.com")
echo "customer $c, duplicate $d"

step "2. Resolve the duplicate: it merges into the first; reading it answers the survivor"
run identify merge-customers --survivor_id="$c" --merged_id="$d" --reason="same person, confirmed on the phone"
run identify get-customer --customer_id="$d"

step "3. A loyalty program, the customer as a member, two purchases at the till"
p=$(crmctl --get=program.program_id loyalty create-program --program.display_name=Club \
  --program.currency_code=CNY --program.points_per_currency_unit=1)
m=$(crmctl --get=member.member_id loyalty enroll-member --program_id="$p" --customer_id="$c")
run loyalty record-purchase --purchase.member_id="$m" --purchase.source_transaction_id="till-1/$card-1" \
  --purchase.lines.sku=kettle --purchase.lines.quantity=1 --purchase.lines.amount_minor=19900
run loyalty record-purchase --purchase.member_id="$m" --purchase.source_transaction_id="till-1/$card-2" \
  --purchase.lines.sku=tea --purchase.lines.quantity=2 --purchase.lines.amount_minor=3000

step "4. Points and tier"
run loyalty get-member --member_id="$m"
run segment set-tier-policy --policy.tier=key --policy.priority=800 --policy.sla_class=gold \
  --policy.contact_channel=phone
run segment assign-customer-tier --tier.customer_id="$c" --tier.tier=key --tier.reason="top 5% of spend"
run segment get-customer-tier --customer_id="$c"

step "5. A complaint by member card, handled to its resolution with 200 points"
k=$(crmctl --get=complaint.complaint_id complaints file-complaint --complaint.channel=web \
  --complaint.subject="kettle leaks" --complaint.description="the kettle leaks after a week" \
  --customer_identifier.type=member_card --customer_identifier.value="$card")
by=(--complaint_id="$k" --by.actor=agent-7)
run complaints acknowledge-complaint "${by[@]}" --by.note="sorry to hear that"
run complaints assess-complaint "${by[@]}" --assessment.valid=true --assessment.category=product_quality
run complaints propose-resolution "${by[@]}" --remedies.type=replacement \
  --remedies.type=compensation_points --remedies.points=200 --remedies.loyalty_member_id="$m"
run complaints record-customer-decision "${by[@]}" --accepted
run complaints resolve-complaint "${by[@]}" --outcome=non_monetary_relief

step "6. The points now: 199 + 30 for the purchases, 200 in compensation"
printf '$ crmctl --get=member.balance loyalty get-member --member_id=%s\n' "$m"
crmctl --get=member.balance loyalty get-member --member_id="$m"
