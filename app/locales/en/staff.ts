export default {
  nav: "Staff seats",
  title: "Staff seats",
  subtitle: "{{business}}: everyone who signs in holds a staff seat, the owner too.",
  readOnly: "You are viewing staff seats as staff. Only the owner can invite or remove staff.",
  summary: {
    title: "Seats",
    bar: "Staff seats taken or invited",
    breakdown: "{{taken}} taken, {{invited}} invited, {{free}} free",
    available_one: "{{count}} seat available (plan and activation codes)",
    available_other: "{{count}} seats available (plan and activation codes)",
    pending_one: "{{count}} invitation waiting holds a seat",
    pending_other: "{{count}} invitations waiting hold a seat each",
    free_one: "{{count}} seat free for new staff",
    free_other: "{{count}} seats free for new staff",
    overLimit_one:
      "{{count}} member is over the limit and cannot sign in until a seat frees up or seats are added.",
    overLimit_other:
      "{{count}} members are over the limit and cannot sign in until a seat frees up or seats are added.",
  },
  members: {
    title: "Members",
    name: "Name",
    email: "Email",
    role: "Role",
    seat: "Seat",
    joined: "Joined",
    actions: "Actions",
    remove: "Remove",
    removeLabel: "Remove {{email}}",
    confirmRemove:
      "Remove {{email}} from the staff? They can no longer sign in to this business; their account is kept.",
  },
  seat: {
    plan: "Plan seat",
    code: "Code #{{serial}} — {{bundle}}",
    support: "Added by 7stamp support",
    referral: "Referral bonus",
    none: "Over the limit",
  },
  invite: {
    title: "Invite staff",
    email: "Email",
    submit: "Send invitation",
    hint: "They get an email with a link to set a password and join.",
    noFreeSeat_one:
      "Your {{count}} staff seat is taken. To add staff, upgrade your plan or redeem an activation code on the billing page.",
    noFreeSeat_other:
      "All {{count}} staff seats are taken. To add staff, upgrade your plan or redeem an activation code on the billing page.",
    toBilling: "Go to the billing page",
    alreadyMember: "This person is already a member of the business.",
    sent: "Invitation sent to {{email}}.",
  },
  pending: {
    title: "Pending invitations",
    none: "No invitations are waiting.",
    expires: "expires {{date}}",
    revoke: "Revoke",
    revokeLabel: "Revoke the invitation to {{email}}",
    confirmRevoke: "Revoke the invitation to {{email}}? Its link stops working.",
    revoked: "The invitation to {{email}} was revoked.",
  },
  remove: {
    done: "{{email}} was removed from the staff.",
  },
  errors: {
    owner_not_removable: "The owner of a business cannot be removed.",
    staff_member_not_found: "This person is not a member of the business (any more).",
    staff_invitation_not_found: "There is no pending invitation for this email (any more).",
  },
  overLimit: {
    body: "Your business has no free staff seat for you right now. Ask its owner to free a seat or add seats.",
  },
};
