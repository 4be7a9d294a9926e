-- The server stops on its own (killed): the plugin starts it again and the findings come back; past
-- the limit it stays stopped, says so, and :TabguardRestart starts it.
--   nvim --headless -u NONE -i NONE -l nvim_restart.lua <plugin_dir> <fakes_rtp> <workspace> <server cmd...>
local plugin_dir, fakes, ws = arg[1], arg[2], arg[3]
local cmd = { unpack(arg, 4) }
vim.opt.rtp:prepend(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)))
local h = require('tabguard_e2e')
local emit, need, wait = h.emit, h.need, h.wait

local messages = {}
local notify = vim.notify
vim.notify = function(msg, level, o)
  messages[#messages + 1] = msg
  return notify(msg, level, o)
end

local buf, first = h.start(plugin_dir, fakes, ws .. '/app.py', cmd)
local server, restart = require('tabguard.server'), require('tabguard.restart')
local function findings()
  return #vim.diagnostic.get(buf)
end
vim.api.nvim_buf_set_lines(buf, 4, 5, false, { '    r = requests.get(url, verify=False, timeout=5)' })
need('findings', wait(10000, function()
  return findings() > 0
end), findings())

local function kill_server()
  local pid = vim.fn.getpid()
  local children = io.open(('/proc/%d/task/%d/children'):format(pid, pid)):read('*a')
  for child in children:gmatch('%d+') do
    vim.uv.kill(tonumber(child), 'sigkill')
  end
end
local function new_client_with_findings(old)
  return wait(15000, function()
    local now = server.client(buf)
    return now ~= nil and now.id ~= old.id and findings() > 0
  end)
end

kill_server()
local restarted = new_client_with_findings(first)
need('restarted', restarted, messages)
local function told(text)
  return #vim.tbl_filter(function(m)
    return m:find(text, 1, true) ~= nil
  end, messages) > 0
end
emit('restart_told', told('stopped (exit code 0, signal 9); starting it again'), messages)

local second = server.client(buf)
restart.MAX_RESTARTS = 0 -- the limit reached: the next stop is not followed by a start
kill_server()
need('stopped', wait(5000, function()
  return server.client(buf) == nil and findings() == 0
end))
wait(1000, function()
  return server.client(buf) ~= nil
end)
emit('left_stopped', server.client(buf) == nil)
emit('gave_up_told', told('was not started again; :TabguardRestart starts it'), messages)

vim.cmd('TabguardRestart')
emit('restart_command', new_client_with_findings(second))

-- The pure bookkeeping: 5 stops within 3 minutes give up, stops spread wider do not.
restart.MAX_RESTARTS = 4
local stops, again = {}, true
for _, t in ipairs({ 0, 10, 20, 30, 40 }) do
  stops, again = restart.count(stops, t)
end
local spread, again_spread = {}, true
for _, t in ipairs({ 0, 100, 200, 300, 400, 500 }) do
  spread, again_spread = restart.count(spread, t)
end
emit('count', again == false and again_spread == true, { #stops, #spread })
emit('done', true)
os.exit(0)
