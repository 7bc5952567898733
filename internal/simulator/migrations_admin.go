// The control API of the migration model, under /_sim/: the clock, the
// migrations and destination projects, and failure, expiry or loss of a
// migration on demand.

package simulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"time"
)

var adminMigrationAction = regexp.MustCompile(`^/_sim/migrations/([a-f0-9]{24})/(fail|expire|forget)$`)

// serveMigrationAdmin is the control API of the migration model:
//
//	GET  /_sim/clock                      {"now": RFC 3339, "speed": n, "tickPerRead": "1m0s"}
//	POST /_sim/clock                      {"advance": "2h", "speed": 3600, "tickPerRead": "1m"} (each optional)
//	GET  /_sim/migrations                 every migration (MigrationInfo), never a password
//	GET  /_sim/atlas-projects             the destination projects
//	POST /_sim/migrations/{id}/fail       make an active migration FAILED
//	POST /_sim/migrations/{id}/expire     make an active migration EXPIRED
//	POST /_sim/migrations/{id}/forget     drop the record: reads answer 404
//
// and those of serveOutsideMigrationAdmin. It reports whether it handled the request.
func (s *Simulator) serveMigrationAdmin(w http.ResponseWriter, r *http.Request) bool {
	path := r.URL.Path
	switch {
	case r.Method == http.MethodGet && path == "/_sim/clock":
		s.writeClock(w)
	case r.Method == http.MethodPost && path == "/_sim/clock":
		var body struct {
			Advance     string   `json:"advance"`
			Speed       *float64 `json:"speed"`
			TickPerRead *string  `json:"tickPerRead"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", `The body must be {"advance": "<duration>", "speed": <number>, "tickPerRead": "<duration>"}.`, nil)
			return true
		}
		if body.Advance != "" {
			d, err := time.ParseDuration(body.Advance)
			if err != nil || d < 0 {
				writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "advance must be a non-negative Go duration such as 90m or 121h.", nil)
				return true
			}
			s.AdvanceClock(d)
		}
		if body.Speed != nil {
			s.SetClockSpeed(*body.Speed)
		}
		if body.TickPerRead != nil {
			d, err := time.ParseDuration(*body.TickPerRead)
			if err != nil || d < 0 {
				writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "tickPerRead must be a non-negative Go duration such as 1m.", nil)
				return true
			}
			s.SetTickPerRead(d)
		}
		s.writeClock(w)
	case r.Method == http.MethodGet && path == "/_sim/migrations":
		writeJSON(w, http.StatusOK, jsonType, s.Migrations())
	case r.Method == http.MethodGet && path == "/_sim/atlas-projects":
		writeJSON(w, http.StatusOK, jsonType, s.AtlasProjects())
	case r.Method == http.MethodPost && adminMigrationAction.MatchString(path):
		m := adminMigrationAction.FindStringSubmatch(path)
		var err error
		switch m[2] {
		case "fail":
			err = s.FailMigration(m[1])
		case "expire":
			err = s.ExpireMigration(m[1])
		default:
			if !s.ForgetMigration(m[1]) {
				err = fmt.Errorf("no migration %s", m[1])
			}
		}
		if err != nil {
			writeError(w, http.StatusConflict, "CONFLICT", err.Error()+".", nil)
			return true
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		return s.serveOutsideMigrationAdmin(w, r)
	}
	return true
}

func (s *Simulator) writeClock(w http.ResponseWriter) {
	s.mu.Lock()
	body := map[string]any{"now": s.mig.now().UTC().Format(time.RFC3339Nano), "speed": s.mig.speed, "tickPerRead": s.mig.opts.TickPerRead.String()}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, jsonType, body)
}
