-- Consent before running a workspace's own tabguard (`<root>/.venv/bin/tabguard`): that file is a
-- program the repository chose, and Neovim has no workspace trust of its own. Allowed by
-- `setup{ allow_workspace_binary = true }`, or by answering a prompt once per workspace; the answer is
-- kept in stdpath('state')/tabguard/workspaces.json, keyed by the workspace's real path. Without an
-- answer (no UI to ask, prompt dismissed) tabguard from PATH runs instead.
local M = {}

local session = {} -- real root -> decision made this session (also when the prompt was dismissed)

local function store()
  return vim.fs.joinpath(vim.fn.stdpath('state'), 'tabguard', 'workspaces.json')
end

local function read()
  local file = io.open(store(), 'r')
  if not file then
    return {}
  end
  local ok, data = pcall(vim.json.decode, file:read('*a'))
  file:close()
  return (ok and type(data) == 'table') and data or {}
end

local function key(root)
  return vim.uv.fs_realpath(root) or vim.fs.normalize(root)
end

--- The remembered answer for `root`: true (allowed), false (denied) or nil (never asked).
function M.answer(root)
  local value = read()[key(root)]
  if type(value) == 'boolean' then
    return value
  end
  return nil
end

--- Remember `allowed` (true, false, or nil to forget) for `root`. Returns false if it cannot be saved.
function M.remember(root, allowed)
  local data = read()
  data[key(root)] = allowed
  session[key(root)] = nil
  local path = store()
  vim.fn.mkdir(vim.fs.dirname(path), 'p')
  local temp = path .. '.tmp'
  local file = io.open(temp, 'w')
  if not file then
    return false
  end
  file:write(vim.json.encode(vim.tbl_isempty(data) and vim.empty_dict() or data))
  file:close()
  return os.rename(temp, path) ~= nil
end

local function ask(exe)
  if #vim.api.nvim_list_uis() == 0 then
    return nil -- headless: nobody to ask
  end
  local choice = vim.fn.confirm(
    'tabguard: this workspace has its own language server:\n  '
      .. exe
      .. '\nIt is a program from the repository. Run it? (Only if you trust this repository.)',
    "&Allow for this workspace\n&No, use tabguard from PATH",
    2
  )
  if choice == 0 then
    return nil
  end
  return choice == 1
end

--- May `exe`, the workspace binary of `root`, be run? `opts.allow_workspace_binary` true/false
--- decides for every workspace; otherwise the remembered answer, else a prompt when `prompt` is true.
function M.allowed(root, exe, opts, prompt)
  if opts.allow_workspace_binary ~= nil then
    return opts.allow_workspace_binary == true
  end
  local answer = M.answer(root)
  if answer ~= nil then
    return answer
  end
  local real = key(root)
  if session[real] == nil and prompt then
    local decision = ask(exe)
    if decision ~= nil then
      M.remember(root, decision)
    end
    session[real] = decision or false
  end
  return session[real] == true
end

return M
