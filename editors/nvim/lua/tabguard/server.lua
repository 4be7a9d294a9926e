-- Finding and starting `tabguard lsp` with Neovim's built-in client.
local M = {}

M.name = 'tabguard'
-- tabguard is not on PyPI: it installs from a clone of its repository.
M.install_hint = 'python3 -m pip install /path/to/tabguard-clone'

local ROOT_MARKERS = { 'pyproject.toml', 'setup.cfg', 'setup.py', 'tabguard.toml', 'requirements.txt', '.git' }
local VENV_DIRS = { '.venv', 'venv' }
local is_windows = vim.fn.has('win32') == 1

--- Whether the server handles this buffer: Python, requirements*.txt, pyproject.toml and tabguard.toml
--- (saving a config file makes the server read it again).
function M.handles(bufnr)
  if vim.bo[bufnr].buftype ~= '' then
    return false
  end
  if vim.bo[bufnr].filetype == 'python' then
    return true
  end
  local name = vim.fs.basename(vim.api.nvim_buf_get_name(bufnr))
  return name == 'pyproject.toml' or name == 'tabguard.toml' or (name:match('^requirements.*%.txt$') ~= nil)
end
M.filetypes = { 'python', 'requirements', 'toml', 'text' }

function M.root(bufnr)
  local name = vim.api.nvim_buf_get_name(bufnr)
  local start = name ~= '' and vim.fs.dirname(name) or vim.fn.getcwd()
  local marker = vim.fs.find(ROOT_MARKERS, { path = start, upward = true })[1]
  return marker and vim.fs.dirname(marker) or start
end

--- The workspace's own tabguard (<root>/.venv/bin/tabguard or venv/), if there is one.
function M.workspace_binary(root)
  local exe = is_windows and 'tabguard.exe' or 'tabguard'
  for _, venv in ipairs(VENV_DIRS) do
    local candidate = vim.fs.joinpath(root, venv, is_windows and 'Scripts' or 'bin', exe)
    if vim.fn.executable(candidate) == 1 then
      return candidate
    end
  end
  return nil
end

--- The default server command for a workspace: its venv's tabguard if the user allowed it (see
--- tabguard.trust; `prompt` says whether asking now is fine), else tabguard on PATH. Returns nil
--- when neither can be used.
function M.default_cmd(root, opts, prompt)
  local own = M.workspace_binary(root)
  if own and require('tabguard.trust').allowed(root, own, opts or {}, prompt) then
    return { own, 'lsp' }
  end
  local on_path = vim.fn.exepath('tabguard')
  if on_path ~= '' then
    return { on_path, 'lsp' }
  end
  return nil
end

local warned = false
local function missing()
  if not warned then
    warned = true
    vim.notify(
      'tabguard: the language server was not found (no tabguard on PATH, no allowed .venv/bin/tabguard in the workspace).\n'
        .. 'Install it with `'
        .. M.install_hint
        .. '`, or pass cmd = { ... } to require("tabguard").setup().',
      vim.log.levels.ERROR
    )
  end
end

--- The command for `root`, from opts.cmd (a list or a function(root) -> list) or the default,
--- which may ask the user about the workspace's own binary unless `prompt` is false.
function M.cmd_for(opts, root, prompt)
  local cmd = opts.cmd
  if type(cmd) == 'function' then
    cmd = cmd(root)
  end
  return cmd or M.default_cmd(root, opts, prompt ~= false)
end

local function rpc_start(opts, root, dispatchers)
  local cmd = M.cmd_for(opts, root)
  if not cmd then
    missing()
    error('tabguard: server not found; install it with `' .. M.install_hint .. '`')
  end
  return vim.lsp.rpc.start(cmd, dispatchers, { cwd = root })
end

--- Whether this Neovim pulls diagnostics (textDocument/diagnostic) and pulls again when the server
--- asks (workspace/diagnostic/refresh): only then may the server stop pushing. 0.11 pulls but has no
--- refresh, so a finding that changes without an edit (an accept, a review) would not update; without
--- `pullDiagnostics` the server does not offer pull, so such a Neovim is only pushed to.
function M.pulls_diagnostics(capabilities)
  capabilities = capabilities or vim.lsp.protocol.make_client_capabilities()
  return vim.tbl_get(capabilities, 'textDocument', 'diagnostic') ~= nil
    and vim.tbl_get(capabilities, 'workspace', 'diagnostics', 'refreshSupport') == true
end

local function client_config(opts)
  local pull = M.pulls_diagnostics(opts.capabilities) -- Neovim uses these instead of its defaults
  return {
    name = M.name,
    init_options = vim.tbl_extend('force', opts.settings or {}, pull and { pullDiagnostics = true } or {}),
    settings = { tabguard = opts.settings or {} },
    on_attach = opts.on_attach,
    on_exit = require('tabguard.restart').on_exit,
    capabilities = opts.capabilities,
  }
end

--- Neovim 0.11+: register a `vim.lsp.config` entry and enable it (users can still override it with
--- vim.lsp.config('tabguard', {...})).
local function enable(opts)
  local config = client_config(opts)
  config.filetypes = M.filetypes
  config.cmd = function(dispatchers, cfg)
    return rpc_start(opts, (cfg and cfg.root_dir) or vim.fn.getcwd(), dispatchers)
  end
  config.root_dir = function(bufnr, on_dir)
    if not M.handles(bufnr) then
      return
    end
    local root = M.root(bufnr)
    if M.cmd_for(opts, root) then
      on_dir(root)
    else
      missing()
    end
  end
  vim.lsp.config(M.name, config)
  vim.lsp.enable(M.name)
end

--- Neovim 0.10: start (or reuse) a client per root from a FileType autocmd.
local function start_on_filetype(opts)
  local function attach(bufnr)
    if not M.handles(bufnr) then
      return
    end
    local root = M.root(bufnr)
    local cmd = M.cmd_for(opts, root)
    if not cmd then
      return missing()
    end
    local config = client_config(opts)
    config.cmd = cmd
    config.root_dir = root
    vim.lsp.start(config, { bufnr = bufnr })
  end
  vim.api.nvim_create_autocmd('FileType', {
    group = vim.api.nvim_create_augroup('tabguard.start', { clear = true }),
    pattern = M.filetypes,
    callback = function(ev)
      attach(ev.buf)
    end,
  })
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) then
      attach(bufnr)
    end
  end
end

function M.start(opts)
  if vim.lsp.config and vim.lsp.enable then
    enable(opts)
  else
    start_on_filetype(opts)
  end
end

--- The tabguard client attached to `bufnr`, if any.
function M.client(bufnr)
  return vim.lsp.get_clients({ bufnr = bufnr, name = M.name })[1]
end

--- Client methods are called with `:` on 0.11+ and with `.` before.
function M.request(client, method, params, handler, bufnr)
  if vim.fn.has('nvim-0.11') == 1 then
    return client:request(method, params, handler, bufnr)
  end
  return client.request(method, params, handler, bufnr)
end

function M.notify(client, bufnr, method, params)
  if vim.fn.has('nvim-0.11') == 1 then
    return client:notify(method, params) -- flushes this client's pending didChange first
  end
  -- 0.10 debounces didChange and does not flush before a notification: flush it ourselves, so the
  -- server holds the version we report.
  pcall(function()
    vim.lsp._changetracking.flush(client, bufnr)
  end)
  return client.notify(method, params)
end

--- Run a server command (workspace/executeCommand) and call on_result(err, result).
function M.execute(bufnr, command, args, on_result)
  local client = M.client(bufnr)
  if not client then
    vim.notify('tabguard: the language server is not attached to this buffer', vim.log.levels.WARN)
    return false
  end
  M.request(client, 'workspace/executeCommand', { command = command, arguments = { args } }, function(err, result)
    on_result(err, result)
  end, bufnr)
  return true
end

return M
