/*
 * keyrotd fleet mode: the coordinated rotation protocol of issue 13, as a Promela model.
 * docs/fleet/protocol.md is the prose; this file is the precise design the Swift implementation
 * follows. scripts/check-fleet-model runs every check (spin -> pan.c -> gcc -> pan).
 *
 * Three hosts share one IAM user's key. Each host runs two processes: Host(h), the member (its
 * files, heartbeat, apply/acknowledge/catch-up/restore), and Leader(h), which rotates while it
 * holds the lease. Env is the world: IAM's eventual consistency, Secrets Manager's stale stage
 * reads, time (a down member going silent past member_timeout, then member_grace), and faults
 * (a host crashing at any step, a paused leader losing its lease while alive). Every atomic step
 * below is one AWS call or one local action, so a crash or a competing step can fall between
 * any two of them, and every read acts on a snapshot that may be stale by the time it is used.
 *
 * Compile-time knobs: MAXROT (rotation attempts), MAXF (faults budget), PROGRESS (the LTL run), and
 * deliberately wrong designs the check must catch: BROKEN_RETIRE (the old key retired once the
 * live members acknowledged, without waiting for down members within their grace), BROKEN_NOFENCE
 * (leader writes not conditional on its record version), BROKEN_NOTXN (members apply from their
 * read of the record without registering in a transaction conditioned on it), BROKEN_NOCAS
 * (AWSCURRENT moved without the RemoveFromVersionId check), BROKEN_NOACK (an acknowledgement
 * never reaches the table: progress must fail).
 */

#ifndef MAXROT
#define MAXROT 2            /* rotation ids 1..MAXROT; key k belongs to rotation k, key 0 is the initial one */
#endif
#ifndef MAXF
#define MAXF 1              /* crashes + lease steals + apply failures + ack timeouts, in all */
#endif
#if MAXROT > 2
#error "NKEYS and Env's propagation are written for at most three keys (MAXROT <= 2)"
#endif
#define NH 3
#define NK (MAXROT + 1)
#define NONE 15

/* ---- IAM: access keys of the one user ---- */
#define K_NONE 0
#define K_ACTIVE 1
#define K_INACTIVE 2        /* designed as if an Inactive key fails, as real IAM does */
#define K_DELETED 3
byte kst[NK];
bit kprop[NK];              /* IAM is eventually consistent: a new key works only once propagated */
#define works(k) ((k) != NONE && kst[k] == K_ACTIVE && kprop[k])
#define live(k) (kst[k] == K_ACTIVE || kst[k] == K_INACTIVE)

/* ---- Secrets Manager: one version per rotation id (the ClientRequestToken) ---- */
bit vex[NK];                /* version k exists; versions are immutable */
byte cur;                   /* AWSCURRENT */
byte prev = NONE;           /* AWSPREVIOUS */
byte pend = NONE;           /* AWSPENDING (informational: followers act on the table's record) */
byte ocur;                  /* AWSCURRENT before its last move: what a stale read may still return */
bit curfresh = 1;

/* ---- DynamoDB: the lease item, which carries the rotation record ---- */
byte owner = NONE;          /* lease holder */
byte rvn;                   /* record version number: every write by a holder changes it */
byte rot;                   /* rotation id of the record (0: none yet) */
byte base;                  /* the version (key) the rotation replaces = AWSCURRENT when it began */
byte phase;
#define P_IDLE 0
#define P_CREATING 1        /* intent recorded, CreateAccessKey next */
#define P_CREATED 2         /* key exists; propagation check, then PutSecretValue AWSPENDING */
#define P_PENDING 3         /* AWSPENDING published: members apply and acknowledge */
#define P_PROMOTING 4       /* every live member acknowledged: move AWSCURRENT */
#define P_PROMOTED 5        /* overlap: waiting for every member, or its grace, before retiring */
#define P_RETIRING 6        /* deactivate the old key */
#define P_GRACE 7           /* old key Inactive: delete it */
#define P_ROLLBACK 8        /* members restore the old key */
#define P_RBDELETE 9        /* nobody holds the new key: delete it */

/* ---- DynamoDB: one membership item per host ---- */
byte holds[NH];             /* acknowledgement: the version this host's files hold (verified) */
byte applying[NH];          /* the rotation this host registered to apply (transaction with the lease item) */
byte failed[NH];            /* the rotation this host failed to apply */
bit dropped[NH];            /* silent past member_grace and dropped: must `fleet join` again */
bit silT[NH];               /* heartbeat older than member_timeout (as the leader measures it) */
bit silG[NH];               /* heartbeat older than member_grace */

/* ---- hosts ---- */
#define UP 0
#define DOWN 1
#define REFUSED 2           /* came back dropped: refuses loudly, runs nothing with its key */
byte hs[NH];
byte files[NH];             /* the key in this host's files */
bit lead[NH];               /* this host's leader process believes it holds the lease */

byte faults;
byte completed;             /* rotations completed (old key deleted) */

#define FENCE(h, mine) (owner == h && rvn == mine)
/* Every write of the leader is a conditional write on its record version. */
#ifdef BROKEN_NOFENCE
#undef FENCE
#define FENCE(h, mine) (true)
#endif

/* A key is retired (deactivated or deleted) only when no member within its grace holds it. */
#define NOBODY_HOLDS(k) ((files[0] != (k) || dropped[0]) && (files[1] != (k) || dropped[1]) && (files[2] != (k) || dropped[2]))

/* ---- safety invariants (see INVARIANTS below) ---- */
#define HOST_OK(x) (hs[x] != UP || works(files[x]))
/* (a dropped member is out of the fleet: with three hosts, one dropped leaves at most two keys) */
#define DISTINCT_OK (files[0] == files[1] || files[0] == files[2] || files[1] == files[2] \
                     || dropped[0] || dropped[1] || dropped[2])
#define NKEYS ((kst[0] == K_ACTIVE || kst[0] == K_INACTIVE) + (kst[1] == K_ACTIVE || kst[1] == K_INACTIVE) \
               + (NK > 2 && (kst[NK - 1] == K_ACTIVE || kst[NK - 1] == K_INACTIVE)))

/* Checked at the end of every step that changes a host's files, a host's state or a key's state,
   so they hold in every reachable state (a separate monitor process would triple the states). */
#define INVARIANTS \
  assert(HOST_OK(0) && HOST_OK(1) && HOST_OK(2));   /* every running host holds a working key */ \
  assert(DISTINCT_OK)                               /* one rotation in flight: members' files hold at most two keys */

inline retire(k, to) {
  /* The grace property, at the moment IAM retires a key. */
  assert(NOBODY_HOLDS(k));
  if
  :: live(k) -> kst[k] = to
  :: else -> skip
  fi;
  INVARIANTS
}

/* A conditional write on the lease item; a stale holder's fails and it steps down. */
inline fenced(p) {
  if
  :: FENCE(h, mine) -> rvn++; mine = rvn; phase = p
  :: else -> lead[h] = 0
  fi
}

/* Acknowledged by every live member (heartbeat within member_timeout): promote. */
#define ALL_LIVE_ACKED(r) ((dropped[0] || silT[0] || holds[0] == (r)) && (dropped[1] || silT[1] || holds[1] == (r)) \
                           && (dropped[2] || silT[2] || holds[2] == (r)))
/* Acknowledged by every member that is not dropped: retire the old key. */
#ifndef BROKEN_RETIRE
#define ALL_ACKED(r) ((dropped[0] || holds[0] == (r)) && (dropped[1] || holds[1] == (r)) && (dropped[2] || holds[2] == (r)))
#else
#define ALL_ACKED(r) ALL_LIVE_ACKED(r)
#endif
/* Rolled back by every member that is not dropped, none of them registered to apply it: delete the new key. */
#define ALL_OFF(r) ((dropped[0] || (holds[0] != (r) && applying[0] != (r))) \
                    && (dropped[1] || (holds[1] != (r) && applying[1] != (r))) \
                    && (dropped[2] || (holds[2] != (r) && applying[2] != (r))))
/* Members register nothing in the table and apply from their (possibly old) read of it. */
#ifdef BROKEN_NOTXN
#undef ALL_OFF
#define ALL_OFF(r) ((dropped[0] || holds[0] != (r)) && (dropped[1] || holds[1] != (r)) && (dropped[2] || holds[2] != (r)))
#define STILL_PENDING(r) true
#else
#define STILL_PENDING(r) (phase == P_PENDING && rot == (r))
#endif
#define ANY_FAILED(r) (failed[0] == (r) || failed[1] == (r) || failed[2] == (r))

/* Drop a member silent past member_grace: a conditional write on its item (heartbeat unchanged). */
#define DROP_ONE \
  :: atomic { silG[0] && !dropped[0] -> dropped[0] = 1 } \
  :: atomic { silG[1] && !dropped[1] -> dropped[1] = 1 } \
  :: atomic { silG[2] && !dropped[2] -> dropped[2] = 1 }

/* The holder renews its lease while it waits (a conditional write on its record version); a
   renewal that succeeds changes nothing else, one that fails makes a stale holder step down. */
#define RENEW_FAILS :: atomic { !FENCE(h, mine) -> lead[h] = 0 }

#ifndef BROKEN_NOCAS
#define MOVE_ALLOWED (cur == lbase)
#else
#define MOVE_ALLOWED (cur != lrot)     /* the move ignores where AWSCURRENT is (no RemoveFromVersionId check) */
#endif

proctype Leader(byte h) {
  byte mine, lrot, lbase, lph;
  bit ok;
end_idle:
  /* Take the lease: free, held by this host before its crash, or not renewed for a lease
     duration (its holder is down; or, as a fault, paused while alive). Only when there is work. */
  atomic {
    hs[h] == UP && !lead[h] && (phase != P_IDLE || rot < MAXROT) && (owner == NONE || owner == h || hs[owner] != UP || !lead[owner] || faults < MAXF) ->
    if
    :: owner != NONE && owner != h && hs[owner] == UP && lead[owner] -> faults++   /* a steal from a paused holder */
    :: else -> skip
    fi;
    owner = h; rvn++; mine = rvn; lead[h] = 1;
    lrot = rot; lbase = base; lph = phase
  };
  {
    if
    :: lph == P_IDLE -> goto start
    :: lph == P_CREATING || lph == P_CREATED -> goto rollback   /* the new key never reached the secret */
    :: lph == P_PENDING -> goto waitacks
    :: lph == P_PROMOTING -> goto promote
    :: lph == P_PROMOTED -> goto overlap
    :: lph == P_RETIRING -> goto deactivate
    :: lph == P_GRACE -> goto delete
    :: lph == P_ROLLBACK -> goto rbwait
    :: lph == P_RBDELETE -> goto rbdelete
    fi;
start:
    atomic {
      if
      :: lrot >= MAXROT ->   /* nothing due: release the lease */
         if :: FENCE(h, mine) -> owner = NONE :: else -> skip fi; lead[h] = 0
      :: else ->
         if
         :: FENCE(h, mine) -> rvn++; mine = rvn; rot = lrot + 1; lrot = rot; phase = P_CREATING
         :: else -> lead[h] = 0
         fi
      fi
    };
    /* CreateAccessKey: IAM allows two keys per user. */
    atomic {
      if
      :: NKEYS < 2 -> kst[lrot] = K_ACTIVE; ok = 1
      :: else -> ok = 0
      fi
    };
    if
    :: !ok -> goto rollback
    :: else -> skip
    fi;
    atomic {
      if
      :: FENCE(h, mine) -> rvn++; mine = rvn; phase = P_CREATED
      :: else -> kst[lrot] = K_DELETED; INVARIANTS; lead[h] = 0   /* superseded: delete the unpublished key it made */
      fi
    };
    kprop[lrot] || !live(lrot) || !FENCE(h, mine);    /* propagation check (STS with the new key) */
    atomic { vex[lrot] = 1; pend = lrot };            /* PutSecretValue, token = rotation id, AWSPENDING */
    atomic { fenced(P_PENDING) };
waitacks:
    do
    :: atomic { ALL_LIVE_ACKED(lrot) -> fenced(P_PROMOTING) }; goto promote
    :: atomic { ANY_FAILED(lrot) -> fenced(P_ROLLBACK) }; goto rbwait
    :: atomic { faults < MAXF -> faults++; fenced(P_ROLLBACK) }; goto rbwait   /* ack_timeout */
    DROP_ONE
    RENEW_FAILS
    od;
promote:
    /* UpdateSecretVersionStage(AWSCURRENT, MoveTo = new, RemoveFrom = old): fails unless old
       holds AWSCURRENT, so a stale leader's late call changes nothing. Then AWSPENDING removed. */
    atomic {
      if
      :: MOVE_ALLOWED -> ocur = cur; curfresh = 0; prev = lbase; cur = lrot
      :: else -> skip
      fi;
      if :: pend == lrot -> pend = NONE :: else -> skip fi
    };
    atomic { fenced(P_PROMOTED) };
overlap:
    do
    :: ok = ALL_ACKED(lrot);                          /* a read of the membership items ... */
       if
       :: ok -> atomic { fenced(P_RETIRING) }; break  /* ... acted on later */
       :: else -> skip
       fi
    DROP_ONE
    RENEW_FAILS
    od;
deactivate:
    atomic { retire(lbase, K_INACTIVE) };             /* UpdateAccessKey Inactive */
    atomic { fenced(P_GRACE) };
delete:
    atomic { retire(lbase, K_DELETED) };              /* DeleteAccessKey */
    atomic {
      if
      :: FENCE(h, mine) -> rvn++; mine = rvn; phase = P_IDLE; base = lrot; lbase = lrot; completed++
      :: else -> lead[h] = 0
      fi
    };
    goto start;
rollback:
    atomic { fenced(P_ROLLBACK) };
rbwait:
    atomic { if :: pend == lrot -> pend = NONE :: else -> skip fi };  /* AWSPENDING removed */
    do
    :: ok = ALL_OFF(lrot);
       if
       :: ok -> atomic { fenced(P_RBDELETE) }; break
       :: else -> skip
       fi
    DROP_ONE
    RENEW_FAILS
    od;
rbdelete:
    atomic { retire(lrot, K_DELETED) };               /* never current: deleted at once */
    atomic { fenced(P_IDLE) };
    goto start
  } unless { !lead[h] };   /* checked before every statement, even inside atomic: lead[h] = 0 comes last */
  goto end_idle
}

proctype Host(byte h) {
  byte snap;
end_member:
  do
  /* Back from a crash: before anything else, a heartbeat conditional on not being dropped. */
  :: atomic { hs[h] == DOWN -> if :: dropped[h] -> hs[h] = REFUSED :: else -> hs[h] = UP; silT[h] = 0; silG[h] = 0 fi; INVARIANTS }
  /* A new AWSPENDING for the record's rotation: register (a transaction with a condition on the
     lease item: phase PENDING, same rotation), then switch the files (atomic, verified with STS,
     rolled back on failure), then acknowledge. */
  :: atomic { hs[h] == UP && phase == P_PENDING && files[h] != rot && applying[h] == NONE && failed[h] != rot && vex[rot] ->
              applying[h] = rot }
  :: atomic { hs[h] == UP && applying[h] != NONE && STILL_PENDING(applying[h]) && files[h] != applying[h] ->
              if
              :: works(applying[h]) -> files[h] = applying[h]; INVARIANTS
              :: else -> failed[h] = applying[h]; applying[h] = NONE     /* verify failed: files restored */
              :: faults < MAXF -> faults++; failed[h] = applying[h]; applying[h] = NONE
              fi }
#ifndef BROKEN_NOACK
  :: atomic { hs[h] == UP && applying[h] != NONE && files[h] == applying[h] -> holds[h] = files[h]; applying[h] = NONE }
#else
  :: atomic { hs[h] == UP && applying[h] != NONE && files[h] == applying[h] -> applying[h] = NONE }   /* the acknowledgement is lost */
#endif
  /* The record rolled back the rotation whose key the files hold: restore the old key. */
  :: atomic { hs[h] == UP && (phase == P_ROLLBACK) && files[h] == rot && works(base) -> files[h] = base; holds[h] = base; applying[h] = NONE; INVARIANTS }
  /* A registration is valid only for its rotation, while the record is PENDING: once the record
     moved on (rolled back, promoted without this host, or a later rotation), it is void. */
  :: atomic { hs[h] == UP && applying[h] != NONE && files[h] != applying[h] && !STILL_PENDING(applying[h]) ->
              applying[h] = NONE; holds[h] = files[h] }
  /* Catch-up: DescribeSecret shows AWSCURRENT on another version than the files': read it
     (GetSecretValue, VersionStage AWSCURRENT, authenticated with the files' key; the read may be
     stale) ... */
  :: atomic { hs[h] == UP && files[h] != cur && !(files[h] == rot && (phase == P_PENDING || phase == P_PROMOTING || phase == P_ROLLBACK)) ->
              if
              :: snap = cur
              :: !curfresh -> snap = ocur
              fi }
     /* ... and switch to it later, if it still verifies. */
     atomic {
       if
       :: hs[h] == UP && snap != files[h] && works(snap) -> files[h] = snap; holds[h] = snap; INVARIANTS
       :: else -> skip
       fi;
       snap = 0
     }
  od
}

active proctype Env() {
end_env:
  do
  :: atomic { kst[1] == K_ACTIVE && !kprop[1] -> kprop[1] = 1 }   /* IAM propagation */
  :: atomic { NK > 2 && kst[NK - 1] == K_ACTIVE && !kprop[NK - 1] -> kprop[NK - 1] = 1 }
  :: atomic { !curfresh -> curfresh = 1 }                         /* Secrets Manager settles */
  /* Time: a down member's heartbeat ages past member_timeout, then past member_grace. */
  :: atomic { hs[0] == DOWN && !silT[0] -> silT[0] = 1 }
  :: atomic { hs[1] == DOWN && !silT[1] -> silT[1] = 1 }
  :: atomic { hs[2] == DOWN && !silT[2] -> silT[2] = 1 }
  :: atomic { hs[0] == DOWN && silT[0] && !silG[0] -> silG[0] = 1 }
  :: atomic { hs[1] == DOWN && silT[1] && !silG[1] -> silG[1] = 1 }
  :: atomic { hs[2] == DOWN && silT[2] && !silG[2] -> silG[2] = 1 }
  /* A crash of any host at any step: its processes lose their memory, the table keeps its items. */
  :: atomic { faults < MAXF && hs[0] == UP -> faults++; hs[0] = DOWN; lead[0] = 0 }
  :: atomic { faults < MAXF && hs[1] == UP -> faults++; hs[1] = DOWN; lead[1] = 0 }
  :: atomic { faults < MAXF && hs[2] == UP -> faults++; hs[2] = DOWN; lead[2] = 0 }
  od
}

init {
  byte i;
  atomic {
    kst[0] = K_ACTIVE; kprop[0] = 1; vex[0] = 1; cur = 0; ocur = 0; base = 0;
    do
    :: i < NH -> files[i] = 0; holds[i] = 0; applying[i] = NONE; failed[i] = NONE; i++
    :: else -> break
    od;
    run Host(0); run Host(1); run Host(2);
    run Leader(0); run Leader(1); run Leader(2)
  }
}

#ifdef PROGRESS
/* With no fault, every due rotation completes: all hosts on the last key, the others deleted. */
#define FINISHED (completed == MAXROT && files[0] == MAXROT && files[1] == MAXROT && files[2] == MAXROT \
                  && kst[0] == K_DELETED && kst[MAXROT - 1] == K_DELETED)
#if MAXF == 0
ltl progress { <> [] FINISHED }
#else
/* With faults, every rotation attempt still ends (completed or rolled back): no leader, member or
   key is left stuck in the middle of one. */
#define SETTLED (phase == P_IDLE && rot == MAXROT)
ltl recovery { <> [] SETTLED }
#endif
/* Spin's weak fairness (-f) does not count the stutter of a state where every process is blocked
   as a fair cycle; this process (enabled only then: `timeout`) makes such a dead end a fair
   cycle, so the check sees it. */
active proctype Stutter() {
end_stutter:
  do
  :: timeout -> skip
  od
}
#endif
