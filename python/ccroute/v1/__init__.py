"""Generated protocol code of ``ccroute.v1`` (see ``proto/ccroute/v1/``).

Do not edit: ``make proto`` (``scripts/gen_protos.py``) rewrites this package.
"""
