#!/usr/bin/env bash
# A real Redmine for the Redmine adapter's end-to-end test (test/server/redmine.test.ts) and for trying
# the adapter by hand. Idempotent; run as root. Installs Debian's `redmine` + `redmine-sqlite` without
# prompts when absent, starts it with rackup on 127.0.0.1:$PORT as www-data (no Apache), enables REST
# and creates what the service needs (custom fields, an agent and a customer with API keys, a
# project). Prints one JSON line: url, keys, custom field ids, tracker and status ids.
# See docs/redmine.md and ../shared/platform/redmine.md.
#
#   scripts/redmine.sh [port]        # default port 3300
#   scripts/redmine.sh --install     # only installs the packages (CI, before the tests)
#   scripts/redmine.sh --stop        # stops the server this script started
set -euo pipefail
PORT="${1:-3300}"
HOME_DIR=/var/lib/redmine-ci
PIDFILE="$HOME_DIR/server.pid"

if [ "$(id -u)" != 0 ]; then
  echo "scripts/redmine.sh must run as root (it installs packages and runs Redmine as www-data)" >&2
  exit 2
fi

if [ "$PORT" = "--stop" ]; then
  if [ -f "$PIDFILE" ]; then kill "$(cat "$PIDFILE")" 2>/dev/null || true; rm -f "$PIDFILE"; fi
  exit 0
fi
INSTALL_ONLY=0
if [ "$PORT" = "--install" ]; then INSTALL_ONLY=1; PORT=3300; fi
case "$PORT" in
  '' | *[!0-9]*) echo "port must be a number, got '$PORT'" >&2; exit 2 ;;
esac

if [ ! -d /usr/share/redmine ] || ! dpkg -s redmine-sqlite >/dev/null 2>&1; then
  echo "::: installing redmine redmine-sqlite" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  debconf-set-selections <<'SEL'
redmine redmine/current-instances string default
redmine redmine/instances/default/dbconfig-install boolean true
redmine redmine/instances/default/database-type select sqlite3
SEL
  apt-get install -y -qq --no-install-recommends redmine redmine-sqlite >&2
fi
[ "$INSTALL_ONLY" = 1 ] && exit 0

mkdir -p "$HOME_DIR"
printf "eval_gemfile '/usr/share/redmine/Gemfile'\ngem 'webrick'\n" > "$HOME_DIR/Gemfile"
chown -R www-data:www-data "$HOME_DIR"
cd /usr/share/redmine
# TZ=UTC: Redmine stores timestamps in the server's local zone (active_record.default_timezone =
# :local), so a server started once from a shell in UTC and once from `npm test` (TZ=Asia/Tokyo) left
# rows nine hours in the future, and a poll's cursor jumped past every later change. Pinned here.
export HOME="$HOME_DIR" RAILS_ENV=production REDMINE_INSTANCE=default BUNDLE_GEMFILE="$HOME_DIR/Gemfile" TZ=UTC
as_www() { setpriv --reuid=www-data --regid=www-data --init-groups "$@"; }

# Everything the product needs, created once (found by name afterwards). Printed as JSON.
SETUP=$(cat <<'RUBY'
Setting.rest_api_enabled = '1'
trackers = Tracker.all.to_a
project = Project.find_by(identifier: 'support') || Project.create!(
  name: 'Support', identifier: 'support', is_public: true,
  enabled_module_names: %w[issue_tracking], trackers: trackers)
project.trackers = trackers
project.save!
def list_field(name, values)
  f = IssueCustomField.find_by(name: name) || IssueCustomField.new(name: name)
  f.field_format = 'list'
  f.possible_values = values
  f.is_for_all = true
  f.visible = true
  f.trackers = Tracker.all.to_a
  f.save!
  f
end
def text_field(name, format = 'string')
  f = IssueCustomField.find_by(name: name) || IssueCustomField.new(name: name)
  f.field_format = format
  f.is_for_all = true
  f.visible = true
  f.trackers = Tracker.all.to_a
  f.save!
  f
end
fields = {
  impact: list_field('Влияние', %w[Высокая Средняя Низкая]),
  urgency: list_field('Срочность', %w[Высокая Средняя Низкая]),
  mode: list_field('Режим', %w[Эксплуатация Внедрение]),
  nature: list_field('Характер', %w[Сбой Вопрос]),
  workaround: list_field('Обходное решение', ['Нет', 'Средне приемлемый', 'Вполне приемлемый']),
  slaPriority: text_field('SLA priority', 'int'),
  slaDeadline: text_field('SLA deadline'),
  slaState: text_field('SLA state'),
  agreedDeadline: text_field('Agreed deadline', 'date'),
  priorityOverride: text_field('Priority override', 'int'),
  overrideReason: text_field('Override reason'),
  affectedVersion: text_field('Affected version', 'version'),
  estimateAt: text_field('Estimate'),
}
def user(login, first, last)
  u = User.find_by_login(login) || User.new(firstname: first, lastname: last, mail: "#{login}@example.com")
  u.login = login
  u.password = u.password_confirmation = 'Reglament-ci-1' if u.new_record?
  u.status = User::STATUS_ACTIVE
  u.save!
  u
end
agent = user('agent', 'Anna', 'Agent')
customer = user('customer', 'Ivan', 'Customer')
service = user('reglament', 'Reglament', 'Service')
agents = Group.find_by(lastname: 'Support agents') || Group.create!(lastname: 'Support agents')
agents.users << agent unless agents.users.include?(agent)
manager = Role.find_by(name: 'Manager') || Role.where(builtin: 0).first
reporter = Role.find_by(name: 'Reporter') || Role.where(builtin: 0).last
[[agent, manager], [service, manager], [customer, reporter]].each do |u, role|
  m = Member.find_by(project: project, user: u) || Member.new(project: project, user: u)
  m.roles = [role]
  m.save!
end
admin = User.find_by_login('admin')
out = {
  adminKey: admin.api_key, serviceKey: service.api_key, agentKey: agent.api_key,
  customerKey: customer.api_key, agentId: agent.id, customerId: customer.id, serviceId: service.id,
  agentsGroupId: agents.id,
  project: project.identifier, projectId: project.id,
  fields: fields.transform_values(&:id),
  trackers: Tracker.all.map { |t| [t.name, t.id] }.to_h,
  statuses: IssueStatus.all.map { |s| [s.name, { id: s.id, closed: s.is_closed }] }.to_h,
}
puts 'SETUP ' + out.to_json
RUBY
)
# The setup's answer is kept with a digest of the setup script: when the server already answers and a
# few REST calls confirm the kept answer (keys, fields on every tracker, project, members, group,
# trackers, statuses), `rails runner` (a Rails boot: 7 s on a quiet machine, 30 s under load) is
# skipped. `rm /var/lib/redmine-ci/setup.json` forces it.
CACHE="$HOME_DIR/setup.json"
DIGEST=$(printf '%s' "$SETUP" | sha256sum | cut -c1-16)
CHECK=$(cat <<'RUBY'
require 'json'
require 'net/http'
port, digest, file = ARGV
c = JSON.parse(File.read(file))
exit 1 unless c['digest'] == digest
s = c['setup']
http = Net::HTTP.new('127.0.0.1', port.to_i)
http.read_timeout = 30
get = lambda do |path, key|
  r = http.get(path, 'X-Redmine-API-Key' => key, 'Accept' => 'application/json')
  exit 1 unless r.code == '200'
  JSON.parse(r.body)
end
admin = s['adminKey']
exit 1 unless get.('/users/current.json', admin)['user']['admin']
{ 'serviceKey' => 'serviceId', 'agentKey' => 'agentId', 'customerKey' => 'customerId' }.each do |k, id|
  exit 1 unless get.('/users/current.json', s[k])['user']['id'] == s[id]
end
trackers = get.('/trackers.json', admin)['trackers'].map { |t| [t['name'], t['id']] }.to_h
exit 1 unless trackers == s['trackers']
statuses = get.('/issue_statuses.json', admin)['issue_statuses']
  .map { |t| [t['name'], { 'id' => t['id'], 'closed' => t['is_closed'] == true }] }.to_h
exit 1 unless statuses == s['statuses']
all = trackers.values.sort
fields = get.('/custom_fields.json', admin)['custom_fields'].map { |f| [f['id'], f] }.to_h
s['fields'].each_value do |id|
  f = fields[id]
  exit 1 unless f && f['visible'] && f['trackers'].map { |t| t['id'] }.sort == all
end
project = get.("/projects/#{s['project']}.json?include=trackers", admin)['project']
exit 1 unless project['id'] == s['projectId'] && project['trackers'].map { |t| t['id'] }.sort == all
members = get.("/projects/#{s['project']}/memberships.json?limit=100", admin)['memberships']
  .map { |m| [m.dig('user', 'id'), m['roles'].map { |r| r['name'] }] }.to_h
exit 1 unless members[s['agentId']] && members[s['serviceId']] && members[s['customerId']]
group = get.("/groups/#{s['agentsGroupId']}.json?include=users", admin)['group']
exit 1 unless group['users'].any? { |u| u['id'] == s['agentId'] }
RUBY
)
if curl -fsS -o /dev/null "http://127.0.0.1:$PORT/" 2>/dev/null && [ -f "$CACHE" ] &&
  ruby -e "$CHECK" "$PORT" "$DIGEST" "$CACHE" 2>/dev/null; then
  JSON=$(ruby -rjson -e 'puts JSON.parse(File.read(ARGV[0]))["setup"].to_json' "$CACHE")
  echo "{\"url\":\"http://127.0.0.1:$PORT\",${JSON#\{}"
  exit 0
fi

as_www bundle install --local --quiet >&2

# Start the server unless it answers already; it boots while `rails runner` below runs the setup (two
# Rails boots side by side instead of one after the other). Redmine reads its settings afresh on each
# request (Setting.check_cache), so the REST switch the setup turns on applies to the running server.
STARTED=0
if ! curl -fsS -o /dev/null "http://127.0.0.1:$PORT/" 2>/dev/null; then
  STARTED=1
  if [ -f "$PIDFILE" ]; then kill "$(cat "$PIDFILE")" 2>/dev/null || true; rm -f "$PIDFILE"; fi
  # Inherited descriptors are closed: a server holding the caller's pipe would make `| tee` hang.
  setsid setpriv --reuid=www-data --regid=www-data --init-groups \
    rackup -s webrick -o 127.0.0.1 -p "$PORT" -E production -P "$PIDFILE" config.ru \
    > "$HOME_DIR/server.log" 2>&1 < /dev/null 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
fi

LINE=$(as_www ruby bin/rails runner "$SETUP" | grep '^SETUP ' | tail -1)
JSON="${LINE#SETUP }"
ruby -rjson -e 'File.write(ARGV[0], { digest: ARGV[1], setup: JSON.parse(ARGV[2]) }.to_json)' \
  "$CACHE" "$DIGEST" "$JSON"
chmod 600 "$CACHE"

if [ "$STARTED" = 1 ]; then
  for _ in $(seq 1 720); do
    curl -fsS -o /dev/null "http://127.0.0.1:$PORT/" 2>/dev/null && break
    sleep 0.25
  done
  curl -fsS -o /dev/null "http://127.0.0.1:$PORT/" || {
    echo "Redmine did not answer on 127.0.0.1:$PORT; see $HOME_DIR/server.log" >&2
    tail -20 "$HOME_DIR/server.log" >&2
    exit 1
  }
fi
echo "{\"url\":\"http://127.0.0.1:$PORT\",${JSON#\{}"
