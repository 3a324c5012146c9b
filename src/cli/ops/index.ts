// Every batch op registers itself on import.
import './priority-ops';
import './evaluate-ops';
import './calendar-ops';
