"""Delivery: one edition to every due subscriber, exactly once; single messages.

The flow of one edition runs one way through these modules:

- :mod:`~digest.deliver.run`: the entry point (`send_edition`): the gate, the edition's
  send lease, the status change to sending, then in this process, in worker processes
  (:mod:`~digest.deliver.processes`) or through a queue (:mod:`~digest.deliver.queue`);
- :mod:`~digest.deliver.wiring`: builds the engine's parts from the App (the only
  module here that knows it);
- :mod:`~digest.deliver.engine`: claims, batches, personalise, hand-over, outcomes,
  on the narrow interfaces of :mod:`~digest.deliver.interfaces`;
- :mod:`~digest.deliver.transports` (and :mod:`~digest.deliver.local`, the outbox and
  memory ones), :mod:`~digest.deliver.ratelimit`, :mod:`~digest.deliver.lease`: what
  the engine and the runs use.

:mod:`~digest.deliver.mail` (`send_one`) sends one finished message (a test send, a
confirmation), DKIM-signed when the newsletter has a key. This package imports no
CLI and no web code; nothing here imports :mod:`~digest.deliver.run` back.
"""
