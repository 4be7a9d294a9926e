-- Shared plumbing for the headless Neovim scripts: JSON step output, waiting, plugin start-up and a
-- record of the accept notifications the plugin sends.
local M = {}

function M.emit(step, ok, detail)
  io.stdout:write(vim.json.encode({ step = step, ok = ok, detail = detail }) .. '\n')
  io.stdout:flush()
end

--- Emit a step; stop the run when it failed (later steps depend on it).
function M.need(step, ok, detail)
  M.emit(step, ok and true or false, detail)
  if not ok then
    os.exit(1)
  end
end

function M.wait(ms, cond)
  return vim.wait(ms, cond, 20)
end

--- Load the plugin and fakes, open `file`, wait for the server; returns buf, client, sent (the
--- didAcceptSuggestion params the plugin sends, in order).
function M.start(plugin_dir, fakes, file, cmd)
  vim.opt.rtp:prepend(plugin_dir)
  vim.opt.rtp:prepend(fakes)
  vim.o.showmode = false -- "-- INSERT --" would otherwise land on stdout
  vim.cmd('filetype on') -- -u NONE leaves filetype detection off, and vim.lsp.enable needs it
  if os.getenv('TABGUARD_TEST_NVIM_010_START') == '1' then
    vim.lsp.enable = nil -- exercise the Neovim 0.10 path (vim.lsp.start from FileType) on 0.11
  end
  require('tabguard').setup({ cmd = cmd })
  vim.cmd.edit(file)
  local buf = vim.api.nvim_get_current_buf()
  local server = require('tabguard.server')
  M.need('attach', M.wait(15000, function()
    return server.client(buf) ~= nil
  end))
  local client = server.client(buf)
  local sent = {}
  local orig_notify = client.notify
  client.notify = function(self, method, params)
    if method == 'tabguard/didAcceptSuggestion' then
      sent[#sent + 1] = vim.deepcopy(params)
    end
    return orig_notify(self, method, params)
  end
  return buf, client, sent
end

return M
