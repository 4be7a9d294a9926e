-- :checkhealth tabguard
local M = {}

function M.check()
  local health = vim.health
  local server = require('tabguard.server')
  local tabguard = require('tabguard')

  health.start('tabguard: Neovim')
  if vim.fn.has('nvim-0.10') == 1 then
    health.ok('Neovim ' .. tostring(vim.version()))
  else
    health.error('Neovim 0.10 or newer is required')
  end
  if vim.lsp.config and vim.lsp.enable then
    health.ok('client started with vim.lsp.config/vim.lsp.enable')
  else
    health.info('client started with vim.lsp.start (Neovim 0.10)')
  end

  health.start('tabguard: language server')
  -- :checkhealth runs in its own buffer: judge from the buffer the user came from.
  local bufnr = vim.fn.bufnr('#')
  if bufnr < 1 or not vim.api.nvim_buf_is_valid(bufnr) then
    bufnr = vim.api.nvim_get_current_buf()
  end
  local root = server.root(bufnr)
  local cmd = server.cmd_for(tabguard.options, root, false) -- never prompts, never runs the workspace's
  local own = server.workspace_binary(root)
  if own and not (cmd and cmd[1] == own) then
    health.info(own .. ' is not run: not allowed for this workspace (allow_workspace_binary, or :TabguardTrust allow)')
  end
  if not cmd then
    health.error('tabguard not found in ' .. root .. '/.venv or on PATH', {
      'Install it: ' .. server.install_hint,
      'or pass cmd = { "/path/to/tabguard", "lsp" } to require("tabguard").setup()',
    })
  elseif vim.fn.executable(cmd[1]) ~= 1 then
    health.error('server command is not executable: ' .. cmd[1])
  else
    health.ok('server command: ' .. table.concat(cmd, ' '))
    local result = vim.system({ cmd[1], '--version' }, { text = true }):wait(10000)
    if result.code == 0 then
      health.ok(vim.trim(result.stdout))
    else
      health.warn('`' .. cmd[1] .. ' --version` failed: ' .. vim.trim(result.stderr or ''))
    end
  end
  local name = vim.api.nvim_buf_get_name(bufnr)
  local client = server.client(bufnr)
  if client then
    health.ok(('attached to %s (client %d, %s positions)'):format(name, client.id, client.offset_encoding))
  elseif server.handles(bufnr) then
    health.warn('not attached to ' .. name .. ' although tabguard handles this file')
  end
  for _, c in ipairs(vim.lsp.get_clients({ name = server.name })) do
    health.info(('client %d running for %s'):format(c.id, c.root_dir or '?'))
  end

  health.start('tabguard: accept hooks')
  local active = vim.tbl_keys(require('tabguard.hooks').active)
  table.sort(active)
  if not tabguard.options.hooks then
    health.info('hooks disabled (setup{ hooks = false }); accepts are detected as bulk insertions only')
  elseif #active == 0 then
    health.info(
      'no assistant hooked yet (copilot.lua, copilot.vim, codeium, vim.lsp.inline_completion); '
        .. 'a hook appears once the assistant loads. Without one the server still detects bulk insertions.'
    )
  else
    health.ok('hooked: ' .. table.concat(active, ', '))
  end
end

return M
