-- A realistic mix of GraphQL requests for wrk (benches/load/run.sh passes the arguments).
--
--   wrk -t2 -c64 -d60s --latency -s mix.lua URL -- TOKEN DISTRICT CURSORS PROJECTS ORGANIZATIONS WRITES
--
-- TOKEN          a bearer token (a district coordinator's)
-- DISTRICT       the coordinator's district id
-- CURSORS        endCursor values of the district's project pages, comma-separated ("" for none)
-- PROJECTS       project ids to open and read reports of, comma-separated
-- ORGANIZATIONS  organization ids to read reports of, comma-separated
-- WRITES         reports to correct, comma-separated project:organization:indicator:period:value
--                ("" for a read-only run)
--
-- Every request is a POST /graphql the web interface makes (the same queries as web/js/pages):
-- in 20 requests, 2 district dashboards, 7 project list pages of 100 with stage plans and
-- participants (filters and pages rotate), 4 reads of a project's indicator reports, 2 of an
-- organization's, 3 project pages, 1 "my tasks" and 1 reportIndicator correction (a director
-- or coordinator re-submitting a value; with no WRITES, another project page instead).
--
-- An error is any response that is not 200 or whose body has "errors"; done() prints the
-- numbers run.sh reads: requests/s, p50, p99, and the errors of each kind.

local function split(s, sep)
  local out = {}
  if s == nil or s == "" then return out end
  for part in string.gmatch(s, "([^" .. sep .. "]+)") do table.insert(out, part) end
  return out
end

local function json_string(s)
  local escaped = s:gsub('\\', '\\\\'):gsub('"', '\\"'):gsub('\n', ' ')
  return '"' .. escaped .. '"'
end

local DASHBOARD = [[query($d: ID) { dashboard(districtId: $d) {
  byWorkflow { key title count }
  byStage { workflowKey workflowTitle stageKey stageTitle count }
  byHealth { key title count }
  overdue { projectId projectTitle stageKey stageTitle due daysOverdue }
  missingReports { organizationId organizationName projectId projectTitle indicator indicatorTitle period deadline daysLate }
  organizations { organizationId name achievement health indicators }
} }]]

local PROJECTS = [[query($f: ProjectFilterInput, $after: String) {
  projects(filter: $f, first: 100, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { id title status rowVersion startDate workflow { key title } district { name }
      participants { id name }
      currentStage { key title currentDue daysLeft overdue }
      stages { key title position baselineDue currentDue enteredAt completedAt isCurrent overdue }
      health { health overdue dueSoon indicators } }
  }
}]]

local REPORTS = [[query($f: ReportFilterInput) { indicatorReports(filter: $f) {
  id projectId indicator period value comment reportedBy reportedAt revision organization { name } } }]]

local PROJECT = [[query($id: ID!) { project(id: $id) { id title status rowVersion startDate overdue closedAt createdAt
  workflow { key version title scope indicators { key title unit type period startsAtStage } }
  district { id name timeZone }
  participants { id name }
  health { health overdue dueSoon indicators }
  stages { key title position owners baselineDue currentDue dueFixed enteredAt completedAt isCurrent overdue daysLeft
    checklist { key title done markedAt } }
  currentStage { key title position }
  availableTransitions { toStage title commentRequired allowed blockers }
  history { id at kind actorName summary comment }
  indicatorProgress { indicator title unit organization { id name } target latestValue fact achievement health
    periods { period target value cumulative achievement } } } }]]

local TASKS = [[{ myTasks { project { id title currentStage { title currentDue daysLeft overdue } } stage { key title } } }]]

local REPORT = [[mutation($i: ReportIndicatorInput!) { reportIndicator(input: $i) { id revision value } }]]

-- Per thread (each wrk thread has its own Lua state).
local token, district
local cursors, projects, organizations, writes = {}, {}, {}, {}
local counter = 0
-- Globals, so setup() can hand them in and done() can read them back.
errors_status, errors_graphql = 0, 0
thread_id = 0

local threads = {}
function setup(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end

function init(args)
  token, district = args[1], args[2]
  cursors = split(args[3], ",")
  projects = split(args[4], ",")
  organizations = split(args[5], ",")
  for _, w in ipairs(split(args[6], ",")) do
    local p = split(w, ":")
    table.insert(writes, { project = p[1], organization = p[2], indicator = p[3], period = p[4], value = p[5] })
  end
  assert(token and district and #projects > 0 and #organizations > 0, "run.sh passes TOKEN DISTRICT CURSORS PROJECTS ORGANIZATIONS WRITES")
  -- Threads start at different places in the rotation.
  counter = (tonumber(thread_id) or 0) * 7
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Accept"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. token
end

local function pick(list, n)
  return list[(n % #list) + 1]
end

local function gql(query, variables)
  return wrk.format(nil, "/graphql", nil, '{"query":' .. json_string(query) .. ',"variables":' .. variables .. '}')
end

local FILTERS = {
  function() return '{"districtId":"' .. district .. '"}' end,
  function() return '{"districtId":"' .. district .. '","status":"ACTIVE"}' end,
  function() return '{"districtId":"' .. district .. '","overdue":true}' end,
  function() return '{"districtId":"' .. district .. '","workflow":"tochka-rosta"}' end,
  function() return '{"districtId":"' .. district .. '","health":"RED"}' end,
}

local SCHEDULE = {
  "dashboard", "projects", "reports_project", "project", "projects", "reports_org", "projects",
  "reports_project", "tasks", "projects", "dashboard", "project", "reports_project", "projects",
  "write", "reports_org", "projects", "reports_project", "project", "projects",
}

function request()
  counter = counter + 1
  local kind = SCHEDULE[(counter % #SCHEDULE) + 1]
  local n = math.floor(counter / #SCHEDULE)
  if kind == "write" and #writes == 0 then kind = "project" end
  if kind == "dashboard" then
    return gql(DASHBOARD, '{"d":"' .. district .. '"}')
  elseif kind == "projects" then
    -- Every other list is a later page of the whole district (the "show more" button).
    if n % 2 == 1 and #cursors > 0 then
      return gql(PROJECTS, '{"f":{"districtId":"' .. district .. '"},"after":"' .. pick(cursors, n) .. '"}')
    end
    return gql(PROJECTS, '{"f":' .. FILTERS[(n % #FILTERS) + 1]() .. '}')
  elseif kind == "reports_project" then
    return gql(REPORTS, '{"f":{"projectId":"' .. pick(projects, counter) .. '"}}')
  elseif kind == "reports_org" then
    return gql(REPORTS, '{"f":{"organizationId":"' .. pick(organizations, counter) .. '"}}')
  elseif kind == "project" then
    return gql(PROJECT, '{"id":"' .. pick(projects, counter) .. '"}')
  elseif kind == "tasks" then
    return gql(TASKS, '{}')
  else
    local w = pick(writes, counter)
    return gql(REPORT, string.format(
      '{"i":{"projectId":"%s","organizationId":"%s","indicator":"%s","period":"%s","value":%s,"comment":"нагрузочный тест: исправление"}}',
      w.project, w.organization, w.indicator, w.period, w.value))
  end
end

local shown = 0
function response(status, headers, body)
  if status ~= 200 then
    errors_status = errors_status + 1
  elseif string.find(body, '"errors"', 1, true) then
    errors_graphql = errors_graphql + 1
  else
    return
  end
  if shown < 3 then
    shown = shown + 1
    io.stderr:write("error response (" .. status .. "): " .. string.sub(body, 1, 300) .. "\n")
  end
end

function done(summary, latency, requests)
  local status, graphql = 0, 0
  for _, t in ipairs(threads) do
    status = status + t:get("errors_status")
    graphql = graphql + t:get("errors_graphql")
  end
  local e = summary.errors
  local socket = e.connect + e.read + e.write + e.timeout
  local seconds = summary.duration / 1e6
  io.write("\n-- result --\n")
  io.write(string.format("requests       %d in %.1f s\n", summary.requests, seconds))
  io.write(string.format("requests/s     %.1f\n", summary.requests / seconds))
  io.write(string.format("latency p50    %.1f ms\n", latency:percentile(50) / 1000))
  io.write(string.format("latency p90    %.1f ms\n", latency:percentile(90) / 1000))
  io.write(string.format("latency p99    %.1f ms\n", latency:percentile(99) / 1000))
  io.write(string.format("latency max    %.1f ms\n", latency.max / 1000))
  io.write(string.format("errors         %d (non-200 %d, GraphQL errors %d, socket %d: connect %d read %d write %d timeout %d)\n",
    status + graphql + socket, status, graphql, socket, e.connect, e.read, e.write, e.timeout))
  io.write(string.format("LOAD_ERRORS=%d\n", status + graphql + socket))
end
