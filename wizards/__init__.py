from . import credit_hold_override
from . import credit_hold_manual
from . import account_move_credit_dispute
from . import credit_collectability_calibrate
from . import credit_collection_kpi
from . import credit_collection_simulation
from . import credit_writeoff_wizard
from . import credit_writeoff_recovery
