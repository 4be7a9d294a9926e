-- User commands: :TabguardReview, :TabguardInventory, :TabguardExplain, :TabguardTrust.
local server = require('tabguard.server')
local track = require('tabguard.track')

local M = {}

local function notify(msg, level)
  vim.notify('tabguard: ' .. msg, level or vim.log.levels.INFO)
end

local function tabguard_diagnostics(bufnr, lnum)
  return vim.tbl_filter(function(d)
    return d.source == 'tabguard' and d.code ~= nil
  end, vim.diagnostic.get(bufnr, lnum and { lnum = lnum } or nil))
end

--- The LSP range to review: the given lines, else the cursor position (the server marks the AI
--- span that contains it).
local function review_range(bufnr, client, cmd)
  local enc = client.offset_encoding
  if cmd.range > 0 then
    local last = vim.api.nvim_buf_get_lines(bufnr, cmd.line2 - 1, cmd.line2, false)[1] or ''
    return {
      start = { line = cmd.line1 - 1, character = 0 },
      ['end'] = track.position(bufnr, { cmd.line2 - 1, #last }, enc),
    }
  end
  local cursor = vim.api.nvim_win_get_cursor(0)
  local here = track.position(bufnr, { cursor[1] - 1, cursor[2] }, enc)
  return { start = here, ['end'] = here }
end

function M.review(cmd)
  local bufnr = vim.api.nvim_get_current_buf()
  local client = server.client(bufnr)
  if not client then
    return notify('the language server is not attached to this buffer', vim.log.levels.WARN)
  end
  local args = { uri = vim.uri_from_bufnr(bufnr), range = review_range(bufnr, client, cmd) }
  server.execute(bufnr, 'tabguard.markReviewed', args, function(err, result)
    if err then
      return notify('review failed: ' .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
    end
    local reviewed = type(result) == 'table' and type(result.reviewed) == 'table' and #result.reviewed or nil
    if reviewed == 0 then
      notify('no AI-inserted span here to review')
    else
      notify(reviewed and ('marked ' .. reviewed .. ' AI span(s) reviewed') or 'marked reviewed')
    end
  end)
end

local function show_scratch(lines, filetype, name)
  vim.cmd('botright new')
  local buf = vim.api.nvim_get_current_buf()
  vim.bo[buf].buftype = 'nofile'
  vim.bo[buf].bufhidden = 'wipe'
  vim.bo[buf].swapfile = false
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.bo[buf].filetype = filetype
  vim.bo[buf].modifiable = false
  pcall(vim.api.nvim_buf_set_name, buf, name)
  return buf
end

--- Indented JSON (vim.json.encode has no indent option before 0.12).
local function pretty_json(value, indent)
  indent = indent or ''
  local inner = indent .. '  '
  if type(value) == 'table' and not vim.tbl_isempty(value) then
    local parts = {}
    if vim.islist(value) then
      for _, v in ipairs(value) do
        parts[#parts + 1] = inner .. pretty_json(v, inner)
      end
      return '[\n' .. table.concat(parts, ',\n') .. '\n' .. indent .. ']'
    end
    local keys = vim.tbl_keys(value)
    table.sort(keys, function(a, b)
      return tostring(a) < tostring(b)
    end)
    for _, k in ipairs(keys) do
      parts[#parts + 1] = inner .. vim.json.encode(tostring(k)) .. ': ' .. pretty_json(value[k], inner)
    end
    return '{\n' .. table.concat(parts, ',\n') .. '\n' .. indent .. '}'
  end
  if value == vim.NIL or value == nil then
    return 'null'
  end
  return vim.json.encode(value)
end
M.pretty_json = pretty_json

function M.inventory()
  local bufnr = vim.api.nvim_get_current_buf()
  server.execute(bufnr, 'tabguard.inventory', {}, function(err, result)
    if err then
      return notify('inventory failed: ' .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
    end
    local text = type(result) == 'string' and result or pretty_json(result)
    show_scratch(vim.split(text, '\n'), 'json', 'tabguard://inventory')
  end)
end

local function explain_rule(bufnr, rule)
  server.execute(bufnr, 'tabguard.explain', { rule = rule:upper() }, function(err, markdown)
    if err then
      return notify('explain failed: ' .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
    end
    vim.lsp.util.open_floating_preview(vim.split(tostring(markdown), '\n'), 'markdown', {
      border = 'rounded',
      focus_id = 'tabguard.explain',
      max_width = 100,
    })
  end)
end

function M.explain(cmd)
  local bufnr = vim.api.nvim_get_current_buf()
  if cmd.args ~= '' then
    return explain_rule(bufnr, cmd.args)
  end
  local lnum = vim.api.nvim_win_get_cursor(0)[1] - 1
  local diags = tabguard_diagnostics(bufnr, lnum)
  if #diags == 0 then
    diags = tabguard_diagnostics(bufnr)
  end
  local rules = {}
  for _, d in ipairs(diags) do
    if not vim.tbl_contains(rules, tostring(d.code)) then
      rules[#rules + 1] = tostring(d.code)
    end
  end
  if #rules == 0 then
    return notify('no tabguard finding here; give a rule id, e.g. :TabguardExplain TG201', vim.log.levels.WARN)
  end
  if #rules == 1 then
    return explain_rule(bufnr, rules[1])
  end
  vim.ui.select(rules, { prompt = 'Explain which rule?' }, function(choice)
    if choice then
      explain_rule(bufnr, choice)
    end
  end)
end

local function complete_rules()
  local rules = {}
  for _, d in ipairs(tabguard_diagnostics(vim.api.nvim_get_current_buf())) do
    rules[tostring(d.code)] = true
  end
  return vim.tbl_keys(rules)
end

local TRUST_ANSWERS = { allow = true, deny = false, forget = vim.NIL }

--- :TabguardTrust allow|deny|forget -- whether this workspace's own .venv/bin/tabguard may run;
--- the server restarts with the command that follows from the answer.
function M.trust(cmd)
  local answer = TRUST_ANSWERS[cmd.args]
  if answer == nil then
    return notify('usage: :TabguardTrust allow|deny|forget', vim.log.levels.ERROR)
  end
  local root = server.root(vim.api.nvim_get_current_buf())
  if not require('tabguard.trust').remember(root, answer ~= vim.NIL and answer or nil) then
    return notify('could not save the answer under ' .. vim.fn.stdpath('state'), vim.log.levels.ERROR)
  end
  notify(cmd.args .. ': ' .. root)
  require('tabguard.restart').restart(root)
end

function M.create()
  vim.api.nvim_create_user_command('TabguardTrust', M.trust, {
    nargs = 1,
    complete = function()
      return vim.tbl_keys(TRUST_ANSWERS)
    end,
    desc = "tabguard: allow, deny or forget running this workspace's own .venv/bin/tabguard",
  })
  vim.api.nvim_create_user_command('TabguardReview', M.review, {
    range = true,
    desc = 'tabguard: mark the AI suggestion under the cursor (or the line range) reviewed',
  })
  vim.api.nvim_create_user_command('TabguardInventory', M.inventory, { desc = 'tabguard: show the AI inventory' })
  vim.api.nvim_create_user_command('TabguardRestart', function()
    require('tabguard.restart').restart()
  end, { desc = 'tabguard: start the language server again' })
  vim.api.nvim_create_user_command('TabguardExplain', M.explain, {
    nargs = '?',
    complete = complete_rules,
    desc = 'tabguard: explain a rule (default: the finding under the cursor)',
  })
end

return M
