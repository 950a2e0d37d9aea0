from . import test_collection_case
from . import test_credit_hold
from . import test_credit_race
from . import test_credit_rpc
from . import test_generate_book
from . import test_install
from . import test_security
from . import test_collectability
