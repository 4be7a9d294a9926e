-- Issue 18: a workspace's own .venv/bin/tabguard runs only with the user's consent.
--   nvim --headless -u NONE -i NONE -l nvim_workspace_trust.lua <plugin_dir> <workspace> <scenario> [<setup opts as JSON>]
-- Scenarios: `open` (no UI, so no prompt), `prompt_allow` / `prompt_deny` (a UI is present and the
-- user answers the prompt), `trust_command` (:TabguardTrust allow, then the server restarts).
-- Prints one JSON line: the command the client runs and how often the prompt was shown.
local plugin_dir, ws, scenario, opts_json = arg[1], arg[2], arg[3], arg[4]
vim.opt.rtp:prepend(plugin_dir)
vim.cmd('filetype on')
if os.getenv('TABGUARD_TEST_NVIM_010_START') == '1' then
  vim.lsp.enable = nil -- exercise the Neovim 0.10 path (vim.lsp.start from FileType) on 0.11
end

local prompts = 0
if scenario:match('^prompt_') then
  vim.api.nvim_list_uis = function()
    return { { chan = 1 } }
  end
  vim.fn.confirm = function()
    prompts = prompts + 1
    return scenario == 'prompt_allow' and 1 or 2
  end
end

local opts = opts_json and vim.json.decode(opts_json) or {}
require('tabguard').setup(opts)
vim.cmd.edit(ws .. '/app.py')
local buf = vim.api.nvim_get_current_buf()
local server = require('tabguard.server')
local function attached()
  return vim.wait(15000, function()
    return server.client(buf) ~= nil
  end, 20)
end
attached()
if scenario == 'trust_command' then
  local before = server.client(buf)
  vim.cmd('TabguardTrust allow')
  vim.wait(15000, function() -- the server restarts: a new client attaches
    local now = server.client(buf)
    return now ~= nil and (before == nil or now.id ~= before.id)
  end, 20)
end
vim.cmd.edit(ws .. '/other.py') -- a second file of the same workspace: asked at most once
vim.wait(300)
local client = server.client(buf)
io.stdout:write(vim.json.encode({
  attached = client ~= nil,
  cmd = server.cmd_for(require('tabguard').options, server.root(buf), false),
  prompts = prompts,
}) .. '\n')
os.exit(0)
