" Test double for copilot.vim's autoload functions, with the same accept contract: copilot#Accept()
" returns keys for an <expr> mapping, and those keys insert the text afterwards.
let s:suggestion = ''

function! copilot#Set(text) abort
  let s:suggestion = a:text
endfunction

function! copilot#GetDisplayedSuggestion() abort
  return {'text': s:suggestion, 'outdentSize': 0, 'deleteSize': 0}
endfunction

function! copilot#TextQueuedForInsertion() abort
  try
    return remove(s:, 'queued')
  catch
    return ''
  endtry
endfunction

function! copilot#Accept(...) abort
  if empty(s:suggestion)
    return a:0 ? a:1 : "\t"
  endif
  let s:queued = s:suggestion
  let s:suggestion = ''
  return "\<C-R>\<C-O>=copilot#TextQueuedForInsertion()\<CR>"
endfunction
