from . import credit_collection_policy
from . import credit_exposure_lock
from . import credit_hold
from . import res_company
from . import res_partner
from . import sale_order
from . import account_move
from . import payment_transaction
