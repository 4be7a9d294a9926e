-- Accept hooks for AI assistants. Each wraps the assistant's own accept so that the text it then
-- inserts is reported to tabguard (see tabguard.track). All are inert when the assistant is absent,
-- and Lua modules loaded later (lazy.nvim) are wrapped when they are first required.
local M = {}

--- name -> true once a hook is in place (shown by :checkhealth tabguard)
M.active = {}

-- Lua accept functions, wrapped in their module table (the assistants' own keymaps call them
-- through the table, so partial accepts that delegate to `accept` are covered too).
local MODULE_HOOKS = {
  ['copilot.suggestion'] = {
    name = 'copilot.lua',
    origin = 'copilot',
    fns = { 'accept' }, -- accept_word and accept_line call M.accept(modifier)
    visible = function(mod)
      return not mod.is_visible or mod.is_visible()
    end,
  },
  ['codeium.virtual_text'] = {
    name = 'codeium.nvim',
    origin = 'codeium',
    fns = { 'accept', 'accept_next_word', 'accept_next_line' },
    visible = function(mod)
      return not mod.get_current_completion_item or mod.get_current_completion_item() ~= nil
    end,
  },
}

-- Vimscript accept functions, used from <expr> insert-mode mappings that return keys which insert
-- the text afterwards. We re-map those mappings (rhs mentions the function) to track around them.
local MAPPING_HOOKS = {
  {
    name = 'copilot.vim',
    origin = 'copilot',
    pattern = 'copilot#Accept',
    visible = "exists('*copilot#GetDisplayedSuggestion') && !empty(copilot#GetDisplayedSuggestion().text)",
  },
  {
    name = 'codeium.vim',
    origin = 'codeium',
    pattern = 'codeium#Accept',
    visible = "exists('b:_codeium_completions') && !empty(get(b:_codeium_completions, 'items', []))",
  },
}

local wrapped = setmetatable({}, { __mode = 'k' }) -- functions we produced, never wrapped twice

local function wrap_module(mod, spec, track)
  if type(mod) ~= 'table' then
    return
  end
  for _, fname in ipairs(spec.fns) do
    local orig = mod[fname]
    if type(orig) == 'function' and not wrapped[orig] then
      local hooked = function(...)
        if not spec.visible(mod) then
          return orig(...)
        end
        return track(spec.origin, orig, ...)
      end
      wrapped[hooked] = true
      mod[fname] = hooked
      M.active[spec.name] = true
    end
  end
end

-- Wrap hooked modules when they are first required, whichever loader finds them.
local function install_searcher(track)
  local function searcher(modname)
    local spec = MODULE_HOOKS[modname]
    if not spec then
      return nil
    end
    for i = 1, #package.loaders do
      local other = package.loaders[i]
      if other ~= searcher then
        local loader, extra = other(modname)
        if type(loader) == 'function' then
          return function(...)
            local mod = loader(...)
            wrap_module(mod, spec, track)
            return mod
          end, extra
        end
      end
    end
    return nil
  end
  table.insert(package.loaders, 1, searcher)
end

local function wrap_mappings(track)
  for _, map in ipairs(vim.api.nvim_get_keymap('i')) do
    for _, spec in ipairs(MAPPING_HOOKS) do
      local rhs = map.rhs
      if map.expr == 1 and rhs and not map.callback and rhs:find(spec.pattern, 1, true) and not rhs:find('<SNR>') then
        vim.keymap.set('i', map.lhs, function()
          local function keys()
            return vim.api.nvim_eval(rhs)
          end
          if vim.api.nvim_eval(spec.visible) == 1 then
            return track(spec.origin, keys)
          end
          return keys()
        end, {
          expr = true,
          replace_keycodes = false, -- the accept functions return raw key codes
          silent = map.silent == 1,
          nowait = map.nowait == 1,
          desc = 'tabguard: ' .. spec.name .. ' accept (reported to tabguard)',
        })
        M.active[spec.name] = true
      end
    end
  end
end

--- Neovim 0.12+: vim.lsp.inline_completion.get() accepts the shown item (from any LSP server).
local function wrap_inline_completion(track)
  local ic = vim.lsp.inline_completion
  if type(ic) ~= 'table' or type(ic.get) ~= 'function' or wrapped[ic.get] then
    return
  end
  local orig = ic.get
  local hooked = function(...)
    return track('nvim.inline_completion', orig, ...)
  end
  wrapped[hooked] = true
  ic.get = hooked
  M.active['vim.lsp.inline_completion'] = true
end

local installed = false

--- `track(origin, fn, ...)` is tabguard.track.
function M.install(track)
  if installed then
    return
  end
  installed = true
  for modname, spec in pairs(MODULE_HOOKS) do
    wrap_module(package.loaded[modname], spec, track)
  end
  install_searcher(track)
  wrap_inline_completion(track)
  wrap_mappings(track)
  -- copilot.vim and codeium.vim map their keys at startup or when lazily loaded: look again.
  vim.api.nvim_create_autocmd({ 'VimEnter', 'InsertEnter' }, {
    group = vim.api.nvim_create_augroup('tabguard.hooks', { clear = true }),
    callback = function()
      wrap_mappings(track)
    end,
  })
end

return M
