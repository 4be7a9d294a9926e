-- Starting the server again after it stopped on its own (a crash, a kill), as VS Code's client does:
-- up to 4 times within 3 minutes, then it stays stopped and says how to start it (:TabguardRestart).
-- Without this Neovim only said "Client tabguard quit with exit code ..." and left every buffer
-- without findings until it was opened again.
local M = {}

M.MAX_RESTARTS = 4
M.WINDOW_S = 180

--- Pure: the stop times still inside the window after one at `now`, and whether to start again.
function M.count(stops, now)
  local kept = vim.tbl_filter(function(t)
    return now - t <= M.WINDOW_S
  end, stops)
  kept[#kept + 1] = now
  return kept, #kept <= M.MAX_RESTARTS
end

local stops = {}

--- Stop the tabguard clients (of `root`, else all) and start the server again for the open buffers.
function M.restart(root)
  for _, client in ipairs(vim.lsp.get_clients({ name = require('tabguard.server').name })) do
    if root == nil or client.root_dir == root then
      vim.lsp.stop_client(client.id)
    end
  end
  vim.defer_fn(function()
    require('tabguard.server').start(require('tabguard').options)
  end, 100)
end

--- The client's on_exit: an exit the user did not ask for starts the server again, within limits.
function M.on_exit(code, signal)
  if (code == 0 and signal == 0) or vim.v.exiting ~= vim.NIL then -- asked to stop, or Neovim quits
    return
  end
  local again
  stops, again = M.count(stops, vim.uv.now() / 1000)
  vim.schedule(function()
    local why = ('exit code %d, signal %d'):format(code, signal)
    if again then
      vim.notify('tabguard: the language server stopped (' .. why .. '); starting it again', vim.log.levels.WARN)
      require('tabguard.server').start(require('tabguard').options)
    else
      stops = {}
      vim.notify(
        ('tabguard: the language server stopped %d times in 3 minutes (%s) and was not started again; '):format(
          M.MAX_RESTARTS + 1,
          why
        ) .. ':TabguardRestart starts it. Its log: ' .. vim.lsp.get_log_path(),
        vim.log.levels.ERROR
      )
    end
  end)
end

return M
