-- tabguard for Neovim: starts `tabguard lsp`, reports accepted AI suggestions, review commands.
--   require('tabguard').setup({ cmd = { 'tabguard', 'lsp' }, settings = { ['bulk-insert-lines'] = 3 } })
local server = require('tabguard.server')
local track = require('tabguard.track')

local M = {}

M.defaults = {
  cmd = nil, -- list, or function(root) -> list; default: tabguard on PATH, or <root>/.venv/bin/tabguard once allowed
  -- Run a workspace's own .venv/bin/tabguard: true always, false never, nil ask once per workspace.
  allow_workspace_binary = nil,
  settings = {}, -- server settings, same keys as [tool.tabguard] (sent as init_options)
  hooks = true, -- wrap the accept of copilot.lua, copilot.vim, codeium and vim.lsp.inline_completion
  on_attach = nil,
  capabilities = nil,
}
M.options = vim.deepcopy(M.defaults)

local function current(bufnr)
  return (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
end

--- Report an accepted suggestion: `range` is an LSP Range (0-based, end exclusive, in the client's
--- position encoding) holding the inserted text; `origin` names the tool ("copilot", ...).
--- Returns false when no tabguard client is attached to the buffer.
function M.accepted(bufnr, range, origin)
  bufnr = current(bufnr)
  local client = server.client(bufnr)
  if not client then
    return false
  end
  server.notify(client, bufnr, 'tabguard/didAcceptSuggestion', {
    textDocument = {
      uri = vim.uri_from_bufnr(bufnr),
      version = vim.lsp.util.buf_versions[bufnr] or vim.api.nvim_buf_get_changedtick(bufnr),
    },
    range = range,
    origin = origin or 'nvim',
  })
  return true
end

--- Call an assistant's accept function `fn(...)` and report the text it inserts into the current
--- buffer, even when it inserts it later. Returns what `fn` returns. If `fn` returns false (nothing
--- to accept) or nothing changes within a second, nothing is reported.
function M.track(origin, fn, ...)
  local bufnr = vim.api.nvim_get_current_buf()
  if not server.client(bufnr) then
    return fn(...)
  end
  local cancel = track.watch(bufnr, function(bytes)
    local client = vim.api.nvim_buf_is_valid(bufnr) and server.client(bufnr)
    if not bytes or not client then
      return
    end
    local encoding = client.offset_encoding
    M.accepted(bufnr, {
      start = track.position(bufnr, bytes[1], encoding),
      ['end'] = track.position(bufnr, bytes[2], encoding),
    }, origin)
  end)
  local results = vim.F.pack_len(pcall(fn, ...))
  if not results[1] then
    cancel()
    error(results[2], 0)
  end
  if results[2] == false then
    cancel()
  end
  return unpack(results, 2, results.n)
end

function M.setup(opts)
  M.options = vim.tbl_deep_extend('force', vim.deepcopy(M.defaults), opts or {})
  server.start(M.options)
  require('tabguard.commands').create()
  if M.options.hooks then
    require('tabguard.hooks').install(M.track)
  end
end

return M
